/**
 * Jobs held ahead for a worker stuck on a slow job, taken by its free sibling, run once each
 * even when that sibling is killed right after taking them (one of them times out and hangs):
 * those it had not started go back to the queue without an attempt and run elsewhere.
 */

import assert from "node:assert/strict";
import { aheadServer, finished, warmEveryWorker } from "../support/claim_ahead.ts";
import { HoldServer } from "../support/hold.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("claimAhead: jobs moved to a free worker run once when it is killed", async () => {
  await using hold = HoldServer.start();
  const server = await aheadServer(hold, { workers: 2, killGrace: 200, shutdownGrace: 10_000 });
  const holding = (key: string) => ({ type: "t-holds", payload: hold.payload(key) });
  try {
    // Both workers keep the pace of 4 jobs: each then claims 1 + 4 at once.
    assert.equal(await warmEveryWorker(server, hold, 2), 2, "both workers warmed up");

    // One worker claims them all, runs `slow` and queues `b` behind it; the other takes the
    // rest, first one that hangs past its timeout: it is killed with `c` taken and not started.
    const quick = ["b", "c", "d"];
    const [slow, b, hangs, ...rest] = await server.queue.enqueue([
      holding("slow"),
      holding("b"),
      { type: "t-hangs-beside", payload: null },
      ...quick.slice(1).map(holding),
    ]);
    for (const key of quick) hold.release(key);
    await waitFor(() => hold.arrivals("slow") === 1, { timeout: 30_000 });
    const slowWorker = (await server.queue.get(slow.id))!.attempts[0].workerId;
    const killed = await finished(server, hangs.id);
    assert.equal(killed.status, "failed");
    assert.equal(killed.attempts.length, 1);
    assert.notEqual(killed.attempts[0].workerId, slowWorker, "it ran on the free worker");
    hold.release("slow");
    for (const job of [slow, b, ...rest]) {
      const done = await finished(server, job.id);
      assert.equal(done.status, "completed", `${job.id} completed`);
      assert.equal(done.attempts.length, 1, `${job.id} ran in one attempt`);
    }
    for (const key of ["slow", ...quick]) assert.equal(hold.arrivals(key), 1, `${key} ran once`);
    const stats = await waitFor(() => {
      const stats = server.pool.stats();
      return stats.running === 0 && stats.claimedAhead === 0 ? stats : undefined;
    }, { timeout: 30_000, message: "the pool to hold nothing" });
    assert.equal(stats.running + stats.claimedAhead, 0);
  } finally {
    hold.release("slow");
    await server.shutdown();
  }
});
