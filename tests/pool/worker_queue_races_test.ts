/**
 * A job queued in its worker cancelled just as the worker starts it (its place freed by the
 * job ahead, released in the same turn): whichever comes first, it ends `cancelled`, it runs
 * at most once (aborted if it started), and nothing of it is recorded after the cancel.
 */

import assert from "node:assert/strict";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import { aheadServer } from "../support/claim_ahead.ts";
import { HoldServer } from "../support/hold.ts";
import { waitFor } from "../support/wait.ts";

const WAIT = { timeout: 30_000 };
const ROUNDS = 8;

Deno.test("worker queue: a queued job cancelled as its worker starts it ends cancelled, run once at most", async () => {
  await using hold = HoldServer.start();
  const server = await aheadServer(hold);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const warm = await server.queue.enqueue(["w1", "w2", "w3"].map((key) => {
        hold.release(`${round}${key}`);
        return { type: "t-holds", payload: hold.payload(`${round}${key}`) };
      }));
      for (const job of warm) await server.queue.waitForFinal(job.id, WAIT);
      const [first, second] = await server.queue.enqueue(["a", "b"].map((key) => ({
        type: "t-holds",
        payload: hold.payload(`${round}${key}`),
      })));
      await waitFor(() => hold.arrivals(`${round}a`) === 1, WAIT);
      await waitFor(() => server.pool.stats().claimedAhead === 1, WAIT);
      hold.release(`${round}a`);
      // Half the rounds cancel at once, half a moment later: around the worker's start.
      if (round % 2 === 1) await new Promise((resolve) => queueMicrotask(() => resolve(null)));
      await server.queue.cancel(second.id);
      hold.release(`${round}b`);
      assert.equal((await server.queue.waitForFinal(first.id, WAIT))?.status, "completed");
      const cancelled = await server.queue.waitForFinal(second.id, WAIT);
      assert.equal(cancelled?.status, "cancelled", `round ${round}`);
      assert.ok(hold.arrivals(`${round}b`) <= 1, `round ${round}: run once at most`);
      await waitFor(() => {
        const stats = server.pool.stats();
        return stats.running === 0 && stats.claimedAhead === 0;
      }, { ...WAIT, message: `round ${round}: ${JSON.stringify(server.pool.stats())}` });
      assert.equal(server.pool.stats().size, 1);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("worker queue: shutdown puts the jobs queued in a worker back, unattempted, while the running one finishes (SQLite)", async () => {
  await using hold = HoldServer.start();
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-wq-" })}/jobs.db`;
  const server = await aheadServer(hold, { store: SqliteStore.open(path), shutdownGrace: 30_000 });
  let ids: string[] = [];
  try {
    const warm = await server.queue.enqueue(["w1", "w2", "w3"].map((key) => {
      hold.release(key);
      return { type: "t-holds", payload: hold.payload(key) };
    }));
    for (const job of warm) await server.queue.waitForFinal(job.id, WAIT);
    ids = (await server.queue.enqueue(["a", "b", "c"].map((key) => ({
      type: "t-holds",
      payload: hold.payload(key),
    })))).map((job) => job.id);
    await waitFor(() => hold.arrivals("a") === 1, WAIT);
    // `b` queued in the worker, `c` held by the pool.
    await waitFor(() => server.pool.stats().claimedAhead === 2, WAIT);
    const stopped = server.shutdown();
    // Given back before `a` ends (one the worker started meanwhile would run).
    await waitFor(() => server.pool.stats().claimedAhead === 0, WAIT);
    hold.release("a");
    await stopped;
  } finally {
    for (const key of ["a", "b", "c"]) hold.release(key);
    await server.shutdown();
  }
  const store = SqliteStore.open(path);
  try {
    const [a, b, c] = await Promise.all(ids.map((id) => store.get({ id })));
    assert.deepEqual(a?.attempts.map((attempt) => attempt.outcome), ["completed"]);
    for (const job of [b, c]) {
      assert.equal(job?.status, "queued");
      assert.deepEqual(job?.attempts, [], "no attempt counted");
    }
    assert.equal(hold.arrivals("b") + hold.arrivals("c"), 0, "neither ran");
  } finally {
    await store.close();
  }
});
