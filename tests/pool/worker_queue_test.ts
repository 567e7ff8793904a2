/**
 * Jobs queued in a worker: handed to it beyond its free places (up to its claim-ahead pace,
 * at most `concurrency` more for a pace this slow), started by the worker itself as places free up. It never runs
 * more than `concurrency` at once; a queued job is not running (not counted so, not timed, its
 * attempt not started) until the worker starts it; cancelled, it is dropped unrun; paused, or
 * its worker dead, it goes back to the queue without an attempt. One worker of two places,
 * whose pace (after quick jobs) lets it hold two more.
 */

import assert from "node:assert/strict";
import { type DenoQueueServer } from "../../api/server.ts";
import type { Job, JobOptions } from "../../queue/job.ts";
import { aheadServer, finished, stored } from "../support/claim_ahead.ts";
import { HoldServer } from "../support/hold.ts";
import { waitFor } from "../support/wait.ts";

const WAIT = { timeout: 30_000 };

/**
 * A server of one worker per sandbox with `concurrency` places, holding up to 4 jobs ahead, as
 * many as it finished in the last minute: after the 3 quick jobs of `warm` types run here, 3
 * (so its worker is handed `concurrency` more than it runs, up to 3).
 */
async function start(
  hold: HoldServer,
  concurrency: number,
  warm: "t-holds" | "t-succeeds" = "t-holds",
): Promise<DenoQueueServer> {
  const server = await aheadServer(hold, { concurrency });
  const quick = warm === "t-holds"
    ? ["q1", "q2", "q3"].map((key) => {
      hold.release(key);
      return { type: "t-holds", payload: hold.payload(key) };
    })
    : [1, 2, 3].map((value) => ({ type: "t-succeeds", payload: { value } }));
  for (const job of await server.queue.enqueue(quick)) await finished(server, job.id);
  return server;
}

/** `t-holds` jobs, one per key, enqueued together (so one claim takes them all). */
async function holding(
  server: DenoQueueServer,
  hold: HoldServer,
  keys: string[],
  options?: JobOptions,
): Promise<Job[]> {
  return await server.queue.enqueue(
    keys.map((key) => ({ type: "t-holds", payload: hold.payload(key), options })),
  );
}

function arrivals(hold: HoldServer, keys: string[]): number {
  return keys.reduce((sum, key) => sum + hold.arrivals(key), 0);
}

/** Waits until the worker runs `running` jobs and `ahead` are claimed ahead of them. */
async function settled(server: DenoQueueServer, running: number, ahead: number): Promise<void> {
  await waitFor(() => {
    const stats = server.pool.stats();
    return stats.running === running && stats.claimedAhead === ahead;
  }, {
    ...WAIT,
    message: `${running} running and ${ahead} claimed ahead ${JSON.stringify(server.pool.stats())}`,
  });
}

const KEYS = ["a", "b", "c", "d", "e"];

Deno.test("worker queue: a worker handed more than its places runs `concurrency` at once, in order", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold, 2);
  try {
    const jobs = await holding(server, hold, KEYS);
    await waitFor(() => arrivals(hold, ["a", "b"]) === 2, WAIT);
    // Two running; two queued in the worker and one held by the pool, as stats count them.
    await settled(server, 2, 3);
    assert.equal(server.pool.stats().busy, 1);
    assert.equal(arrivals(hold, ["c", "d", "e"]), 0, "no more than its places at once");
    hold.release("a");
    await waitFor(() => hold.arrivals("c") === 1, WAIT);
    await settled(server, 2, 2);
    assert.equal(arrivals(hold, ["d", "e"]), 0, "the next in line, and only it");
    for (const key of KEYS) hold.release(key);
    for (const job of jobs) assert.equal((await finished(server, job.id)).status, "completed");
    assert.deepEqual(KEYS.map((key) => hold.arrivals(key)), [1, 1, 1, 1, 1]);
    await settled(server, 0, 0);
  } finally {
    for (const key of KEYS) hold.release(key);
    await server.shutdown();
  }
});

Deno.test("worker queue: a queued job is timed from its start, its attempt started then", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold, 1);
  try {
    const [first] = await holding(server, hold, ["a"]);
    await waitFor(() => hold.arrivals("a") === 1, WAIT);
    // Handed to the worker behind `a`, with a timeout shorter than its wait there.
    const [queued] = await holding(server, hold, ["b"], { timeout: 1_000 });
    await settled(server, 1, 1);
    const handedAt = Date.now();
    await waitFor(() => Date.now() > handedAt + 1_500, WAIT);
    const startedAt = Date.now();
    hold.release("a");
    await waitFor(() => hold.arrivals("b") === 1, WAIT);
    // Running for a while, well within its timeout from its start, past it from its hand-out.
    await waitFor(() => Date.now() > startedAt + 300, WAIT);
    hold.release("b");
    assert.equal((await finished(server, first.id)).status, "completed");
    const done = await finished(server, queued.id);
    assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    assert.ok(
      done.attempts[0].startedAt >= startedAt,
      "its attempt starts when the worker starts it",
    );
  } finally {
    for (const key of ["a", "b"]) hold.release(key);
    await server.shutdown();
  }
});

Deno.test("worker queue: a job cancelled while queued in its worker is dropped and never runs", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold, 2);
  try {
    const [first, second, cancelled, ...rest] = await holding(server, hold, KEYS);
    await settled(server, 2, 3);
    await server.queue.cancel(cancelled.id);
    await settled(server, 2, 2);
    for (const key of KEYS) hold.release(key);
    for (const job of [first, second, ...rest]) {
      assert.equal((await finished(server, job.id)).status, "completed");
    }
    assert.equal(hold.arrivals("c"), 0, "the cancelled job never ran");
    const after = await stored(server, cancelled.id);
    assert.equal(after.status, "cancelled");
    await settled(server, 0, 0);
  } finally {
    for (const key of KEYS) hold.release(key);
    await server.shutdown();
  }
});

Deno.test("worker queue: pausing takes back the jobs queued in workers, queued again without an attempt", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold, 2);
  try {
    const jobs = await holding(server, hold, KEYS);
    await settled(server, 2, 3);
    server.pool.pause();
    await settled(server, 2, 0);
    const waiting = jobs.slice(2);
    for (const job of waiting) {
      await waitFor(async () => (await stored(server, job.id)).status === "queued", WAIT);
      assert.deepEqual((await stored(server, job.id)).attempts, []);
    }
    hold.release("a");
    hold.release("b");
    for (const job of jobs.slice(0, 2)) await finished(server, job.id);
    assert.equal(arrivals(hold, ["c", "d", "e"]), 0, "nothing starts while paused");
    server.pool.resume();
    for (const key of KEYS) hold.release(key);
    for (const job of waiting) {
      const done = await finished(server, job.id);
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    }
  } finally {
    for (const key of KEYS) hold.release(key);
    await server.shutdown();
  }
});

Deno.test("worker queue: a worker that crashes puts the jobs queued in it back, without an attempt", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold, 1, "t-succeeds");
  try {
    // One claim takes all three: the crasher runs, the next waits in the worker, the last in
    // the pool. The crash interrupts the crasher only.
    const [crasher, ...rest] = await server.queue.enqueue([
      { type: "t-crashes", payload: {} },
      { type: "t-succeeds", payload: { value: 1 } },
      { type: "t-succeeds", payload: { value: 2 } },
    ]);
    const failed = await finished(server, crasher.id);
    assert.deepEqual(failed.attempts.map((attempt) => attempt.outcome), ["interrupted"]);
    for (const job of rest) {
      const done = await finished(server, job.id);
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    }
  } finally {
    await server.shutdown();
  }
});
