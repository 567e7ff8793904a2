/**
 * A job queued in its worker cancelled just as the worker starts it (its place freed by the
 * job ahead, released in the same turn): whichever comes first, it ends `cancelled`, it runs
 * at most once (aborted if it started), and nothing of it is recorded after the cancel.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { HoldServer } from "../support/hold.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

const WAIT = { timeout: 30_000 };
const ROUNDS = 8;

Deno.test("worker queue: a queued job cancelled as its worker starts it ends cancelled, run once at most", async () => {
  await using hold = HoldServer.start();
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    concurrency: 1,
    claimAhead: 4,
    claimAheadPaceMs: 60_000,
    handlers: [FIXTURES],
    httpAllow: [hold.allow],
    killGrace: 100,
    shutdownGrace: 100,
    logger: TEST_LOGGER,
  });
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
