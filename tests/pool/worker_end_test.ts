/**
 * A worker that ends, by any means, is noticed at once and replaced, and its jobs take the crash
 * path (the attempt is interrupted, the retry policy applies); a worker merely busy in a loop is
 * still ended by its job's timeout. Every job here has a 60 s timeout unless it tests one, and
 * each wait is far shorter: an end noticed only by the timeout would fail the test.
 */

import assert from "node:assert/strict";
import type { Job } from "../../queue/job.ts";
import { UNHOOKED_WORKER } from "../fixtures/handlers.ts";
import { type PoolHarness, poolHarness } from "../support/pool_harness.ts";
import { runIsolated } from "../support/isolated.ts";
import { deadline, waitFor } from "../support/wait.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { Logger } from "../../queue/primitives/logger.ts";
import { prettyLine } from "../../queue/primitives/log_line.ts";

const EXITS_ON_LOAD = new URL("../fixtures/exits_on_load.ts", import.meta.url).href;
const LONG = { timeout: 60_000 };

/** Runs `body` with a started pool, the crash logs it writes kept in `logged`. */
async function withPool(
  options: Parameters<typeof poolHarness>[0],
  body: (harness: PoolHarness, logged: string[]) => Promise<void>,
): Promise<void> {
  const logged: string[] = [];
  const logger = new Logger({ level: "debug", sink: (record) => logged.push(prettyLine(record)) });
  const harness = await poolHarness({ ...options, logger });
  try {
    await deadline(harness.pool.start(), { message: "the pool to start" });
    await body(harness, logged);
  } finally {
    await harness.close();
  }
}

async function enqueue(harness: PoolHarness, type: string, payload: unknown, options = LONG) {
  const [job] = await harness.queue.enqueue([{ type, payload, options }]);
  return job;
}

function assertCrashed(job: Job, error: RegExp): void {
  assert.equal(job.status, "failed");
  assert.equal(job.attempts.length, 1);
  assert.equal(job.attempts[0].outcome, "interrupted");
  assert.match(job.error ?? "", error);
}

Deno.test("WorkerPool notices at once a handler's Deno.exit(); the worker's other jobs retry", async () => {
  await withPool({}, async (harness, logged) => {
    const sibling = await enqueue(
      harness,
      "t-slow",
      { ms: 300 },
      {
        ...LONG,
        maxAttempts: 2,
        backoff: { base: 1, cap: 5 },
      } as typeof LONG,
    );
    await waitFor(async () => (await harness.queue.get(sibling.id))?.status === "in-progress");
    const exits = await enqueue(harness, "t-exits", { code: 3 });
    assertCrashed(
      await harness.final(exits.id),
      /^Worker crashed: (a handler exited with code 3|the worker ended)/,
    );
    const done = await harness.final(sibling.id);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.attempts.map((attempt) => [attempt.outcome, attempt.workerId]), [
      ["interrupted", "w1"],
      ["completed", "w2"],
    ]);
    assert.ok(
      logged.some((line) => /Worker w1 crashed: .*; replacing it/.test(line)),
      logged.join("\n"),
    );
  });
});

Deno.test("WorkerPool notices a worker that ends without a word, through its lifeline", async () => {
  await withPool({ workerUrl: UNHOOKED_WORKER }, async (harness) => {
    const silent = await enqueue(harness, "t-exits-silently", {});
    assertCrashed(
      await harness.final(silent.id),
      /^Worker crashed: the worker ended without saying why$/,
    );
    const after = await enqueue(harness, "t-succeeds", { value: 5 });
    assert.deepEqual((await harness.final(after.id)).result, { doubled: 10 });
  });
});

Deno.test("WorkerPool treats an unhandled rejection in a handler as a crash", async () => {
  await withPool({}, async (harness) => {
    const rejects = await enqueue(harness, "t-rejects-unhandled", {});
    assertCrashed(
      await harness.final(rejects.id),
      /^Worker crashed: uncaught error in worker: .*unhandled in worker/,
    );
  });
});

Deno.test("WorkerPool ends a worker busy in a synchronous loop as a timeout, not a crash", async () => {
  await withPool({ killGrace: 100 }, async (harness, logged) => {
    // Busy well past its timeout and grace: only the kill ends the attempt.
    const busy = await enqueue(harness, "t-busy", { ms: 2_000 }, { timeout: 200 });
    const done = await harness.final(busy.id);
    assert.equal(done.status, "failed");
    assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["timeout"]);
    assert.equal(done.error, "Timed out after 200 ms");
    assert.ok(!logged.some((line) => /crashed/.test(line)), logged.join("\n"));
    assert.ok(
      logged.some((line) =>
        / WARN +Worker w1 killed: 1 job\(s\) .* jobId=(\S+)/.exec(line)?.[1] === busy.id
      ),
      logged.join("\n"),
    );
    const after = await enqueue(harness, "t-succeeds", { value: 1 });
    assert.equal((await harness.final(after.id)).attempts[0].workerId, "w2");
  });
});

Deno.test("A worker whose runtime cannot load is logged and tried again; its jobs wait, queued", async () => {
  // In a process of its own: Deno prints why the entry failed to load before the pool hears it.
  const run = await runIsolated(new URL("../fixtures/pool_entry_missing.ts", import.meta.url));
  assert.equal(run.code, 0, run.stderr);
  const { logged, status } = JSON.parse(run.stdout);
  assert.match(
    logged,
    /^A worker for permissions none could not start: Worker w1 ended while starting: uncaught error in worker: .*; trying again in 1 s$/,
  );
  assert.equal(status, "queued");
  assert.match(run.stderr, /no_such_worker\.ts/);
});

Deno.test("A worker whose handler module calls Deno.exit() while loading is logged and tried again", async () => {
  const logged: string[] = [];
  const logger = new Logger({ level: "debug", sink: (record) => logged.push(record.msg) });
  const registry = await HandlerRegistry.load([EXITS_ON_LOAD]); // Exits in a worker only.
  const harness = await poolHarness({ logger }, { registry });
  try {
    await harness.pool.start();
    const [job] = await harness.queue.enqueue([{ type: "t-never-loads", payload: {} }]);
    const failures = () =>
      logged.filter((line) =>
        /^A worker for permissions none could not start: Worker w\d+ ended while starting: (a handler exited with code 1|the worker ended)/
          .test(line)
      );
    // Tried again: a second worker fails the same way.
    await waitFor(() => failures().length >= 2, { message: "two failed starts" });
    assert.equal((await harness.queue.get(job.id))?.status, "queued");
  } finally {
    await harness.close();
  }
});
