/**
 * A node whose workers hold 16 jobs waiting each (quick jobs: `MIN_WAITING`, see
 * `worker_queue.ts`) behind a slow one, in a cluster on PostgreSQL: its heartbeat stalls past
 * the node timeout, the leader rescues them all, and the slow one ends while the node is still
 * presumed dead: its worker starts none of those waiting, then or once the node beats again.
 */

import assert from "node:assert/strict";
import { MIN_WAITING } from "../queue/pool/worker_queue.ts";
import { PostgresStore } from "../queue/store/postgres/postgres_store.ts";
import { HoldServer } from "./support/hold.ts";
import { postgresCluster } from "./support/postgres.ts";
import { stallableHeartbeat } from "./support/stallable_heartbeat.ts";
import { twoNodes } from "./support/two_nodes.ts";
import { waitFor } from "./support/wait.ts";

const WAIT = { timeout: 30_000 };

Deno.test("cluster: a node presumed dead starts none of the 16 jobs waiting in its worker", async () => {
  await using hold = HoldServer.start();
  const database = await (await postgresCluster()).createDatabase();
  const heartbeats = stallableHeartbeat(await PostgresStore.open(database));
  // A pace of 130 quick jobs: an eighth, 16, may wait in the worker.
  const { other: leader, holder } = await twoNodes(database, hold, {
    store: heartbeats.store,
    claimAhead: 256,
    warm: 130,
  });
  const keys = Array.from({ length: MIN_WAITING + 4 }, (_, i) => `x${i}`);
  try {
    const [slow, ...behind] = await holder.queue.enqueue(
      ["a", ...keys].map((key) => ({
        type: "t-holds",
        payload: hold.payload(key),
        options: { maxAttempts: 1 },
      })),
    );
    await waitFor(() => {
      const stats = holder.pool.stats();
      return hold.arrivals("a") === 1 && stats.running === 1 && stats.claimedAhead === keys.length;
    }, { ...WAIT, message: `a running, the rest ahead: ${JSON.stringify(holder.pool.stats())}` });
    heartbeats.stall();
    for (const job of [slow, ...behind]) {
      assert.equal((await leader.queue.waitForFinal(job.id, WAIT))?.status, "failed", "rescued");
    }
    hold.release("a"); // a place frees, its heartbeat still stalled: those waiting must wait
    await waitFor(() => holder.pool.running === 0, { ...WAIT, message: "a to end" });
    heartbeats.resume();
    await waitFor(() => holder.pool.stats().claimedAhead === 0, {
      ...WAIT,
      message: `the node to drop the rescued jobs: ${JSON.stringify(holder.pool.stats())}`,
    });
    assert.equal(holder.pool.running, 0);
    for (const key of keys) assert.equal(hold.arrivals(key), 0, `${key} never ran`);
  } finally {
    heartbeats.resume();
    for (const key of ["a", ...keys]) hold.release(key);
    await leader.shutdown();
    await holder.shutdown();
  }
});
