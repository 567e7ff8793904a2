/**
 * Poison jobs queued in a worker: a job that ends its worker as soon as it starts, while it
 * waited in the worker behind another. Its start must be counted (an `interrupted` attempt, as
 * for a job started at hand-out), never lost: put back as "never started", it would run again
 * without an attempt, and a job that always waits behind another would crash workers for ever.
 * The main thread is kept busy in short spells meanwhile, as a loaded server's is.
 */

import assert from "node:assert/strict";
import { UNHOOKED_WORKER } from "../fixtures/handlers.ts";
import { captureLog } from "../support/log_capture.ts";
import { poolHarness } from "../support/pool_harness.ts";
import { waitFor } from "../support/wait.ts";

const WAIT = { timeout: 30_000 };
const ROUNDS = 6;

/** Job types that end their worker at once, all in the fixtures' plain sandbox. */
const POISONS = [
  { type: "t-exits", payload: { code: 3 } },
  { type: "t-closes", payload: {} },
  { type: "t-crashes", payload: {} },
  { type: "t-exits-silently", payload: {} },
];

for (const poison of POISONS) {
  Deno.test(`worker queue: a ${poison.type} job queued behind another crashes its worker once per attempt`, async () => {
    const log = captureLog();
    const harness = await poolHarness({
      concurrency: 1,
      claimAhead: 4,
      claimAheadPaceMs: 60_000,
      workerUrl: UNHOOKED_WORKER,
      logger: log.logger,
    });
    await harness.pool.start();
    const load = setInterval(() => {
      const end = performance.now() + 25;
      while (performance.now() < end) { /* busy */ }
    }, 30);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        // Quick jobs first: the (new) worker's pace lets it hold one queued behind the one it
        // runs.
        const warm = await harness.queue.enqueue(
          [1, 2, 3].map((value) => ({ type: "t-succeeds", payload: { value } })),
        );
        for (const job of warm) await harness.final(job.id, WAIT.timeout);
        // One claim takes both: the sleep runs, the poison waits in the worker behind it.
        const [, culprit] = await harness.queue.enqueue([
          { type: "sleep", payload: { ms: 50 } },
          { ...poison, options: { maxAttempts: 1 } },
        ]);
        const job = await harness.final(culprit.id, WAIT.timeout);
        assert.equal(job.status, "failed", `round ${round}: ${job.status}`);
        assert.deepEqual(job.attempts.map((attempt) => attempt.outcome), ["interrupted"]);
        await waitFor(() => harness.pool.stats().running === 0, WAIT);
      }
      const crashes = log.records.filter((record) => /crashed: .*replacing it$/.test(record.msg));
      assert.equal(
        crashes.length,
        ROUNDS,
        `one crash per poison job (its one attempt), no second run unrecorded:\n${
          log.messages().join("\n")
        }`,
      );
    } finally {
      clearInterval(load);
      await harness.close();
    }
  });
}

Deno.test("worker queue: a hanging job times out, its worker is killed, those queued behind it run once, unattempted before", async () => {
  const harness = await poolHarness({
    concurrency: 1,
    claimAhead: 4,
    claimAheadPaceMs: 60_000,
    killGrace: 100,
    logger: captureLog().logger,
  });
  await harness.pool.start();
  try {
    const warm = await harness.queue.enqueue(
      [1, 2, 3].map((value) => ({ type: "t-succeeds", payload: { value } })),
    );
    for (const job of warm) await harness.final(job.id, WAIT.timeout);
    // One claim: the hanging job runs, the next waits in the worker, the last in the pool.
    const [hangs, ...behind] = await harness.queue.enqueue([
      { type: "t-hangs", payload: {}, options: { maxAttempts: 1, timeout: 300 } },
      { type: "t-succeeds", payload: { value: 4 }, options: { maxAttempts: 1, timeout: 300 } },
      { type: "t-succeeds", payload: { value: 5 }, options: { maxAttempts: 1, timeout: 300 } },
    ]);
    const hung = await harness.final(hangs.id, WAIT.timeout);
    assert.deepEqual(hung.attempts.map((attempt) => attempt.outcome), ["timeout"]);
    for (const job of behind) {
      const done = await harness.final(job.id, WAIT.timeout);
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    }
    await waitFor(() => harness.pool.stats().running === 0, WAIT);
  } finally {
    await harness.close();
  }
});
