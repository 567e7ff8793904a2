/**
 * Jobs held ahead for a worker stuck on a slow job, taken by its free sibling, run once each
 * even when that sibling is killed right after taking them (one of them times out and hangs):
 * those it had not started go back to the queue without an attempt and run elsewhere.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { HoldServer } from "../support/hold.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("claimAhead: jobs moved to a free worker run once when it is killed", async () => {
  await using hold = HoldServer.start();
  const server = await createServer({
    store: new MemoryStore(),
    workers: 2,
    concurrency: 1,
    claimAhead: 4,
    claimAheadPaceMs: 60_000,
    killGrace: 200,
    handlers: [FIXTURES],
    httpAllow: [hold.allow],
    logger: TEST_LOGGER,
  });
  const settled = (id: string) =>
    waitFor(async () => {
      const job = await server.queue.get(id);
      return job?.status === "completed" || job?.status === "failed" ? job : undefined;
    }, { timeout: 30_000, message: `job ${id} to settle` });
  const holding = (key: string) => ({ type: "t-holds", payload: hold.payload(key) });
  try {
    // Both workers keep the pace of 4 jobs: each then claims 1 + 4 at once.
    const ranBy = new Map<string, number>();
    for (
      let round = 0;
      round < 20 && [...ranBy.values()].filter((n) => n >= 4).length < 2;
      round++
    ) {
      const keys = Array.from({ length: 8 }, (_, i) => `warm-${round}-${i}`);
      for (const key of keys) hold.release(key);
      for (const job of await server.queue.enqueue(keys.map(holding))) {
        const worker = (await settled(job.id)).attempts[0].workerId;
        ranBy.set(worker, (ranBy.get(worker) ?? 0) + 1);
      }
    }
    assert.equal([...ranBy.values()].filter((n) => n >= 4).length, 2, "both workers warmed up");

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
    const killed = await settled(hangs.id);
    assert.equal(killed.status, "failed");
    assert.equal(killed.attempts.length, 1);
    assert.notEqual(killed.attempts[0].workerId, slowWorker, "it ran on the free worker");
    hold.release("slow");
    for (const job of [slow, b, ...rest]) {
      const done = await settled(job.id);
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
