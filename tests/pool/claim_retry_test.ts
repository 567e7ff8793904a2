/**
 * The pool after a failed claim: it claims again by itself, waiting longer after each failure
 * in a row and starting over after a success, and hands out what other workers did claim.
 */

import assert from "node:assert/strict";
import type { Queue } from "../../queue/queue.ts";
import { type PoolHarness, poolHarness } from "../support/pool_harness.ts";
import { deadline, waitFor } from "../support/wait.ts";
import { Logger } from "../../queue/primitives/logger.ts";
import { prettyLine } from "../../queue/primitives/log_line.ts";

/** Makes `queue.claim` fail for the calls `fails` picks; counts every call. */
function failClaims(queue: Queue, fails: (call: number, workerId: string) => boolean) {
  const claim = queue.claim.bind(queue);
  const calls: string[] = [];
  queue.claim = (limit, workerId, types) => {
    calls.push(workerId);
    if (fails(calls.length, workerId)) return Promise.reject(new Error("disk I/O error"));
    return claim(limit, workerId, types);
  };
  return calls;
}

async function withHarness(
  size: number,
  body: (harness: PoolHarness, logged: string[]) => Promise<void>,
  concurrency = 16,
): Promise<void> {
  const logged: string[] = [];
  const logger = new Logger({ level: "debug", sink: (record) => logged.push(prettyLine(record)) });
  const harness = await poolHarness({ size, concurrency, logger });
  try {
    await body(harness, logged);
  } finally {
    await harness.close();
  }
}

Deno.test("WorkerPool claims again by itself after failed claims, waiting longer each time", async () => {
  await withHarness(1, async (harness, logged) => {
    const [job] = await harness.queue.enqueue([{ type: "t-succeeds", payload: { value: 1 } }]);
    let failing = 2;
    const calls = failClaims(harness.queue, () => failing-- > 0);
    await deadline(harness.pool.start(), { message: "the pool to start" });
    // Nothing else happens to wake the pool: only its own retries can get the job claimed.
    const done = await harness.final(job.id);
    assert.equal(done.status, "completed");
    assert.ok(calls.length >= 3, `${calls.length} claims`); // Two failed, then the one that worked.
    const retries = logged.filter((line) => line.includes("Worker pool failed to claim jobs"));
    assert.equal(retries.length, 2, logged.join("\n"));
    assert.match(retries[0], /trying again in 100 ms.*disk I\/O error/);
    assert.match(retries[1], /trying again in 200 ms.*disk I\/O error/);

    // After a success, the next failure waits the first wait again.
    failing = 1;
    const [next] = await harness.queue.enqueue([{ type: "t-succeeds", payload: { value: 2 } }]);
    assert.equal((await harness.final(next.id)).status, "completed");
    assert.match(logged.at(-1) ?? "", /trying again in 100 ms/);
  });
});

Deno.test("WorkerPool hands out the jobs claimed for one worker when another's claim fails", async () => {
  await withHarness(2, async (harness) => {
    await deadline(harness.pool.start(), { message: "the pool to start" });
    // Workers start as jobs need them: fill the first so that the second starts too.
    const fillers = await harness.queue.enqueue(
      Array.from({ length: 4 }, () => ({ type: "t-waits", payload: {} })),
    );
    await waitFor(() => harness.pool.running === 4, { message: "two full workers" });
    for (const filler of fillers) await harness.queue.cancel(filler.id);
    await waitFor(() => harness.pool.running === 0, { message: "the fillers to end" });
    harness.pool.pause();
    const jobs = await harness.queue.enqueue([
      { type: "t-succeeds", payload: { value: 1 } },
      { type: "t-succeeds", payload: { value: 2 } },
    ]);
    let failed = false;
    failClaims(harness.queue, (_call, workerId) => {
      if (failed || workerId !== "w1") return false;
      return failed = true;
    });
    harness.pool.resume();
    for (const job of jobs) {
      const done = await harness.final(job.id);
      assert.equal(done.status, "completed");
      assert.equal(done.attempts[0].workerId, "w2");
    }
    assert.ok(failed);
  }, 2);
});
