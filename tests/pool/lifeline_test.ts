/**
 * Lifeline with bare workers: the pool's end of the lock fires when the worker's thread ends,
 * however it ends, and not while the worker is busy or after the line is cut.
 */

import assert from "node:assert/strict";
import { Lifeline } from "../../queue/pool/lifeline.ts";
import type { LifelineWorkerCommand } from "../fixtures/lifeline_worker.ts";
import { runIsolated } from "../support/isolated.ts";
import { deadline } from "../support/wait.ts";

const WORKER = new URL("../fixtures/lifeline_worker.ts", import.meta.url);

/** A bare worker holding a watched lifeline; `ended` resolves when the lifeline says so. */
async function watchedWorker() {
  const ended = Promise.withResolvers<void>();
  let endings = 0;
  const lifeline = new Lifeline(() => {
    endings++;
    ended.resolve();
  });
  const worker = new Worker(WORKER, { type: "module" });
  const messages: string[] = [];
  let nextMessage = Promise.withResolvers<string>();
  worker.onmessage = (event: MessageEvent<string>) => {
    messages.push(event.data);
    nextMessage.resolve(event.data);
    nextMessage = Promise.withResolvers<string>();
  };
  worker.onerror = (event) => event.preventDefault();
  const send = (command: LifelineWorkerCommand) => worker.postMessage(command);
  const reply = () => deadline(nextMessage.promise, { message: "the worker's reply" });
  const holding = reply();
  send({ kind: "hold", lifeline: lifeline.name });
  assert.equal(await holding, "holding");
  lifeline.watch();
  return {
    lifeline,
    worker,
    send,
    reply,
    ended: () => deadline(ended.promise, { message: "the lifeline to say the worker ended" }),
    endings: () => endings,
  };
}

for (const end of ["exit", "close"] as const) {
  const how = { exit: "calls Deno.exit()", close: "calls close()" }[end];
  Deno.test(`Lifeline ends when its worker ${how}`, async () => {
    const { worker, send, ended, endings } = await watchedWorker();
    try {
      send({ kind: end });
      await ended();
      assert.equal(endings(), 1);
    } finally {
      worker.terminate();
    }
  });
}

Deno.test("Lifeline ends when its worker dies of an error", async () => {
  // In a process of its own: Deno prints the worker's uncaught error whatever the page does.
  const run = await runIsolated(new URL("../fixtures/lifeline_dies_of_error.ts", import.meta.url));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { endings: 1 });
  assert.match(run.stderr, /Uncaught \(in worker ""\) Error: uncaught in lifeline worker/);
});

Deno.test("Lifeline holds while its worker is busy in a synchronous loop", async () => {
  const { worker, send, reply, ended, endings } = await watchedWorker();
  try {
    const answer = reply();
    send({ kind: "busy", ms: 300 });
    assert.equal(await answer, "still here");
    assert.equal(endings(), 0, "a busy worker is not an ended one");
    send({ kind: "exit" });
    await ended();
    assert.equal(endings(), 1);
  } finally {
    worker.terminate();
  }
});

Deno.test("Lifeline.cut() stops watching: a worker the pool ends itself is not reported", async () => {
  const { lifeline, worker, endings } = await watchedWorker();
  lifeline.cut();
  worker.terminate();
  // Granted once the terminated worker's thread has let go of the lock.
  const locks = (navigator as Navigator & {
    locks: { request(name: string, callback: () => void): Promise<void> };
  }).locks;
  await deadline(locks.request(lifeline.name, () => {}), { message: "the lock to be let go" });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(endings(), 0);
});
