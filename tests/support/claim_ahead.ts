/**
 * The set-up of the claim-ahead tests: a server whose `t-holds` jobs wait on a test's
 * `HoldServer`, with workers of one place that hold up to 4 jobs ahead, as many as they
 * finished in the last minute; reading a job back, waiting for it to end, and warming every
 * worker up to that pace.
 * @module
 */

import assert from "node:assert/strict";
import { createServer, type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import type { Job } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import type { HoldServer } from "./hold.ts";
import { TEST_LOGGER } from "./log_capture.ts";
import { waitFor } from "./wait.ts";

/** The pace and depth the claim-ahead servers keep. */
export const AHEAD = 4;

/** A memory-store server of 1 worker × 1 place claiming up to {@linkcode AHEAD} ahead. */
export function aheadServer(
  hold: HoldServer,
  options: ServerOptions = {},
): Promise<DenoQueueServer> {
  return createServer({
    store: new MemoryStore(),
    workers: 1,
    concurrency: 1,
    claimAhead: AHEAD,
    claimAheadPaceMs: 60_000,
    handlers: [FIXTURES],
    httpAllow: [hold.allow],
    killGrace: 100,
    shutdownGrace: 100,
    logger: TEST_LOGGER,
    ...options,
  });
}

/** The job `id` as stored; fails if it is not. */
export async function stored(server: DenoQueueServer, id: string): Promise<Job> {
  const job = await server.queue.get(id);
  assert.ok(job !== undefined, `job ${id} is stored`);
  return job;
}

/** The job `id` once it completed or failed. */
export async function finished(server: DenoQueueServer, id: string): Promise<Job> {
  return await waitFor(async () => {
    const job = await server.queue.get(id);
    return job?.status === "completed" || job?.status === "failed" ? job : undefined;
  }, { timeout: 30_000, message: `job ${id} to finish` });
}

/**
 * Runs quick `t-holds` jobs (released before they run), 8 at a time, until each of `workers`
 * workers ran {@linkcode AHEAD} at least: each then claims 1 + 4 at once. Says how many did.
 */
export async function warmEveryWorker(
  server: DenoQueueServer,
  hold: HoldServer,
  workers: number,
): Promise<number> {
  const ranBy = new Map<string, number>();
  const warm = () => [...ranBy.values()].filter((n) => n >= AHEAD).length;
  for (let round = 0; round < 20 && warm() < workers; round++) {
    const keys = Array.from({ length: 8 }, (_, i) => `warm-${round}-${i}`);
    for (const key of keys) hold.release(key);
    const jobs = await server.queue.enqueue(
      keys.map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
    );
    for (const job of jobs) {
      const worker = (await finished(server, job.id)).attempts[0].workerId;
      ranBy.set(worker, (ranBy.get(worker) ?? 0) + 1);
    }
  }
  return warm();
}
