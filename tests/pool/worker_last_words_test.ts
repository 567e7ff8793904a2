/**
 * A worker whose thread ended, while the pool waits for its last messages (see `LAST_WORDS_MS`
 * in `worker_handle.ts`), is handed nothing: a job handed to it then would never run, yet its
 * attempt would end `interrupted` with the crash (and fail, with one attempt).
 */

import assert from "node:assert/strict";
import { UNHOOKED_WORKER } from "../fixtures/handlers.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { poolHarness } from "../support/pool_harness.ts";
import { waitFor } from "../support/wait.ts";

/** The part of the Web Locks API used here (Deno has it; its types do not declare it). */
interface Locks {
  query(): Promise<{ held: { name: string }[] }>;
  request(name: string, options: object, callback: () => unknown): Promise<unknown>;
}
const locks = (navigator as unknown as { locks: Locks }).locks;

Deno.test("worker last words: a job enqueued as a worker's thread ends goes to its replacement", async () => {
  const harness = await poolHarness({
    concurrency: 2,
    workerUrl: UNHOOKED_WORKER,
    logger: TEST_LOGGER,
  });
  await harness.pool.start();
  try {
    const [warm] = await harness.queue.enqueue([{ type: "t-succeeds", payload: { value: 1 } }]);
    await harness.final(warm.id);
    const { held } = await locks.query();
    const lifelines = held.filter((lock) => lock.name.startsWith("denoqueue-worker-"));
    assert.equal(lifelines.length, 1, "one job worker, holding its lifeline");
    // Granted right after the pool's own request, as the worker's thread ends.
    const late = Promise.withResolvers<string>();
    locks.request(lifelines[0].name, {}, async () => {
      const [job] = await harness.queue.enqueue([
        { type: "t-succeeds", payload: { value: 2 }, options: { maxAttempts: 1 } },
      ]);
      late.resolve(job.id);
    });
    const [culprit] = await harness.queue.enqueue([{ type: "t-exits-silently", payload: {} }]);
    assert.deepEqual(
      (await harness.final(culprit.id)).attempts.map((attempt) => attempt.outcome),
      ["interrupted"],
    );
    const after = await harness.final(await late.promise);
    assert.deepEqual(
      after.attempts.map((attempt) => [attempt.outcome, attempt.error]),
      [["completed", undefined]],
      "it ran, on the new worker",
    );
    await waitFor(() => harness.pool.stats().running === 0, { timeout: 30_000 });
  } finally {
    await harness.close();
  }
});
