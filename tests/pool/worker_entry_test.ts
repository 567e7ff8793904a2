/**
 * The worker entry alone, driven through its messages with no pool: its lifeline comes first,
 * handler code that ends the worker gets a last word in, and a result over the limit or a log
 * line over its length is dealt with in the worker, before anything is sent.
 */

import assert from "node:assert/strict";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { FromWorker, ToWorker, WorkerJob } from "../../queue/pool/protocol.ts";
import { sandboxEntry } from "../../queue/pool/sandbox_entry.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { deadline } from "../support/wait.ts";

const RUNTIME = new URL("../../queue/pool/worker.ts", import.meta.url);
const FIXTURE_TYPES = (await HandlerRegistry.load([FIXTURES])).types();
const EXITS_ON_LOAD = new URL("../fixtures/exits_on_load.ts", import.meta.url).href;

/** A worker running the real entry; `until` waits until its messages so far pass `enough`. */
function startWorker(modules: string[], resultLimit = 1024 * 1024) {
  const worker = new Worker(sandboxEntry(RUNTIME, modules), { type: "module" });
  const messages: FromWorker[] = [];
  const waiters: (() => void)[] = [];
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    messages.push(event.data);
    for (const wake of waiters.splice(0)) wake();
  };
  worker.onerror = (event) => event.preventDefault();
  const send = (message: ToWorker) => worker.postMessage(message);
  send({
    kind: "init",
    types: FIXTURE_TYPES,
    concurrency: 4,
    demoSpeed: 1,
    resultLimit,
    httpAllow: [],
    lifeline: `test-lifeline-${crypto.randomUUID()}`,
  });
  const until = (enough: (messages: FromWorker[]) => boolean, what: string) =>
    deadline(
      (async () => {
        while (!enough(messages)) await new Promise<void>((wake) => waiters.push(wake));
        return messages;
      })(),
      { message: what },
    );
  return { worker, send, until };
}

/** Whether some message is of `kind`. */
function has(kind: FromWorker["kind"]) {
  return (messages: FromWorker[]) => messages.some((message) => message.kind === kind);
}

function outcomesIn(messages: FromWorker[]) {
  return messages.flatMap((message) => message.kind === "batch" ? message.outcomes : []);
}

function job(type: string, payload: unknown = {}): WorkerJob {
  return { id: crypto.randomUUID(), type, payload, attempt: 1 };
}

for (
  const [type, payload, reason] of [
    ["t-exits", { code: 3 }, "a handler exited with code 3 (Deno.exit or process.exit)"],
    ["t-closes", {}, "a handler called close()"],
  ] as const
) {
  Deno.test(`worker entry says why before a handler ends its worker (${type})`, async () => {
    const { worker, send, until } = startWorker([FIXTURES]);
    try {
      await until(has("ready"), "ready");
      send({ kind: "run", jobs: [job(type, payload)], startNow: 0, startBefore: Infinity });
      const messages = await until(has("ending"), "its last word");
      assert.deepEqual(messages.at(-1), { kind: "ending", reason });
    } finally {
      worker.terminate();
    }
  });
}

Deno.test("worker entry holds its lifeline before a handler module can end it while loading", async () => {
  const { worker, until } = startWorker([EXITS_ON_LOAD]);
  try {
    const messages = await until(has("ending"), "its last word");
    assert.deepEqual(messages, [
      { kind: "lifeline" },
      { kind: "ending", reason: "a handler exited with code 1 (Deno.exit or process.exit)" },
    ]);
  } finally {
    worker.terminate();
  }
});

Deno.test("worker entry fails a result over the limit without sending it", async () => {
  const { worker, send, until } = startWorker([FIXTURES], 1024);
  try {
    await until(has("ready"), "ready");
    const big = job("t-big-result", { bytes: 4096 });
    const small = job("t-big-result", { bytes: 1000 });
    send({ kind: "run", jobs: [big, small], startNow: 0, startBefore: Infinity });
    const messages = await until((sent) => outcomesIn(sent).length === 2, "both outcomes");
    const byJob = new Map(outcomesIn(messages).map((outcome) => [outcome.jobId, outcome]));
    assert.deepEqual(byJob.get(big.id), {
      jobId: big.id,
      ok: false,
      error: "Result is 4.0 KB, over the result limit of 1 KB (--result-limit)",
      unrecoverable: true,
    });
    assert.deepEqual(byJob.get(small.id), { jobId: small.id, ok: true, result: "x".repeat(1000) });
  } finally {
    worker.terminate();
  }
});

Deno.test("worker entry cuts a long log line before sending it", async () => {
  const { worker, send, until } = startWorker([FIXTURES]);
  try {
    await until(has("ready"), "ready");
    send({
      kind: "run",
      jobs: [job("t-logs", { lines: 2, width: 5 * 1024 * 1024 })],
      startNow: 0,
      startBefore: Infinity,
    });
    const messages = await until((sent) => outcomesIn(sent).length === 1, "the outcome");
    const lines = messages.flatMap((message) => message.kind === "batch" ? message.logs : []);
    assert.deepEqual(lines.map((line) => line.message.length), [2_000, 2_000]);
    assert.ok(lines[1].message.startsWith("line 2..."));
  } finally {
    worker.terminate();
  }
});
