/**
 * Two servers on one PostgreSQL database for cluster tests of jobs held ahead: the first,
 * paused, leads (it started first); the second, of one place, holds what it finished in the
 * last minute ahead, up to `claimAhead`, after `warm` quick jobs. Leases are renewed every
 * 100 s, past the tests' deadlines; beats every 100 ms, dead after 1 s.
 * @module
 */

import { createServer, type DenoQueueServer } from "../../api/server.ts";
import { PostgresStore } from "../../queue/store/postgres/postgres_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import type { HoldServer } from "./hold.ts";
import { TEST_LOGGER } from "./log_capture.ts";

/** How the holding node is made. */
export interface HolderOptions {
  /** Its store (default: its own connection to `database`), e.g. one whose beats stall. */
  store?: Store;
  /** Its `claimAhead`. Default 4. */
  claimAhead?: number;
  /** Quick jobs it runs first, to set its pace. Default 3. */
  warm?: number;
}

/** The leader (`other`, paused) and the node holding jobs ahead (`holder`), warmed up. */
export async function twoNodes(
  database: string,
  hold: HoldServer,
  { store, claimAhead = 4, warm = 3 }: HolderOptions = {},
): Promise<{ other: DenoQueueServer; holder: DenoQueueServer }> {
  const common = {
    workers: 1,
    concurrency: 1,
    handlers: [FIXTURES],
    httpAllow: [hold.allow],
    lease: 300_000,
    heartbeat: 100,
    nodeTimeout: 1_000,
    killGrace: 100,
    shutdownGrace: 100,
    logger: TEST_LOGGER,
  };
  const other = await createServer({ ...common, store: await PostgresStore.open(database) });
  other.pool.pause();
  const holder = await createServer({
    ...common,
    store: store ?? await PostgresStore.open(database),
    claimAhead,
    claimAheadPaceMs: 60_000,
  });
  const quick = await holder.queue.enqueue(Array.from({ length: warm }, (_, i) => {
    hold.release(`warm${i}`);
    return { type: "t-holds", payload: hold.payload(`warm${i}`) };
  }));
  for (const job of quick) {
    const done = await holder.queue.waitForFinal(job.id, { timeout: 30_000 });
    if (done?.status !== "completed") throw new Error(`warm-up job ${job.id} did not complete`);
  }
  return { other, holder };
}
