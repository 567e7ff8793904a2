/**
 * Jobs claimed ahead in a cluster: two servers in this process on one PostgreSQL database, the
 * second holding jobs ahead of its one place. A job cancelled through the first is dropped by
 * the second at once (the first tells the others), not at its next lease renewal (a hundred
 * seconds away here); a node whose heartbeat stalled past the node timeout, its jobs rescued
 * meanwhile, starts none of those it held, then or once it beats again.
 */

import assert from "node:assert/strict";
import type { DenoQueueServer } from "../api/server.ts";
import type { Job } from "../queue/job.ts";
import { PostgresStore } from "../queue/store/postgres/postgres_store.ts";
import { HoldServer } from "./support/hold.ts";
import { postgresCluster } from "./support/postgres.ts";
import { stallableHeartbeat } from "./support/stallable_heartbeat.ts";
import { twoNodes } from "./support/two_nodes.ts";
import { waitFor } from "./support/wait.ts";

/** `t-holds` jobs, one per key, enqueued together (one claim takes them all). */
async function holding(server: DenoQueueServer, hold: HoldServer, keys: string[], maxAttempts = 3) {
  return await server.queue.enqueue(
    keys.map((key) => ({ type: "t-holds", payload: hold.payload(key), options: { maxAttempts } })),
  );
}

async function final(server: DenoQueueServer, job: Job): Promise<Job> {
  const done = await server.queue.waitForFinal(job.id, { timeout: 30_000 });
  assert.ok(done !== undefined && done.status !== "in-progress", `job ${job.id} ends`);
  return done;
}

/** Waits until `holder` runs the job of `key` and holds one ahead. */
async function holdingOne(holder: DenoQueueServer, hold: HoldServer, key: string) {
  await waitFor(() => hold.arrivals(key) === 1 && holder.pool.stats().claimedAhead === 1, {
    timeout: 30_000,
    message: "a job running and one held ahead",
  });
}

Deno.test("cluster: a job held ahead on one node and cancelled through another never runs", async () => {
  await using hold = HoldServer.start();
  const database = await (await postgresCluster()).createDatabase();
  const { other: canceller, holder } = await twoNodes(database, hold);
  try {
    const [first, held] = await holding(holder, hold, ["a", "b"]);
    await holdingOne(holder, hold, "a");
    await canceller.queue.cancel(held.id);
    await waitFor(() => holder.pool.stats().claimedAhead === 0, {
      timeout: 30_000,
      message: "the holder to drop the job cancelled elsewhere",
    });
    hold.release("a");
    assert.equal((await final(holder, first)).status, "completed");
    assert.equal(holder.pool.running + holder.pool.stats().claimedAhead, 0);
    assert.equal(hold.arrivals("b"), 0, "the cancelled job never ran");
  } finally {
    for (const key of ["a", "b"]) hold.release(key);
    await canceller.shutdown();
    await holder.shutdown();
  }
});

Deno.test("cluster: a node presumed dead starts none of the jobs it held, rescued meanwhile", async () => {
  await using hold = HoldServer.start();
  const database = await (await postgresCluster()).createDatabase();
  const heartbeats = stallableHeartbeat(await PostgresStore.open(database));
  const { other: leader, holder } = await twoNodes(database, hold, { store: heartbeats.store });
  try {
    // One attempt each: rescued, they fail, and nobody claims them again.
    const [first, held] = await holding(holder, hold, ["a", "x"], 1);
    await holdingOne(holder, hold, "a");
    // Its heartbeats stall past the node timeout: presumed dead, its jobs rescued.
    heartbeats.stall();
    assert.equal((await final(leader, held)).status, "failed", "rescued by the leader");
    assert.equal((await final(leader, first)).status, "failed");
    hold.release("a"); // a place frees, its heartbeat still stalled: the held job must wait
    await waitFor(() => holder.pool.running === 0, { timeout: 30_000, message: "a to end" });
    heartbeats.resume(); // it beats again, finds its row gone, and renews before it hands out
    await waitFor(() => holder.pool.stats().claimedAhead === 0, {
      timeout: 30_000,
      message: "the node to drop the rescued job",
    });
    assert.equal(holder.pool.running, 0);
    assert.equal(hold.arrivals("x"), 0, "the rescued job never ran on the node presumed dead");
  } finally {
    heartbeats.resume();
    for (const key of ["a", "x"]) hold.release(key);
    await leader.shutdown();
    await holder.shutdown();
  }
});
