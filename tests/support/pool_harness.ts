/**
 * A WorkerPool over a memory-store Queue, without the HTTP layer: for pool tests that need
 * what only code can pass (another worker entry, handler modules the main thread must not load).
 * @module
 */

import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { Job } from "../../queue/job.ts";
import type { PoolOptions } from "../../queue/pool/pool_options.ts";
import { WorkerPool } from "../../queue/pool/pool.ts";
import { Queue, type QueueOptions } from "../../queue/queue.ts";
import type { Store } from "../../queue/store/store.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";

/** A queue (knowing the fixture types) and a pool not started yet. */
export interface PoolHarness {
  queue: Queue;
  pool: WorkerPool;
  /** Waits up to `timeout` ms for the job to be final; throws if it is not by then. */
  final(id: string, timeout?: number): Promise<Job>;
  /** Closes the pool, the queue and the store. */
  close(): Promise<void>;
}

/** The harness's store (default: a memory store) and queue options (e.g. `capacity`). */
export interface HarnessQueueOptions extends Partial<Omit<QueueOptions, "events">> {
  store?: Store;
}

/**
 * Builds the harness; `options` go to the pool (default: one worker in all), `queueOptions` to
 * the queue (its types: the fixtures, or `queueOptions.registry`).
 */
export async function poolHarness(
  options: Partial<PoolOptions> = {},
  queueOptions: HarnessQueueOptions = {},
): Promise<PoolHarness> {
  const store = queueOptions.store ?? new MemoryStore();
  const registry = queueOptions.registry ?? await HandlerRegistry.load([FIXTURES]);
  const queue = new Queue({ ...queueOptions, store, registry, events: new JobEvents() });
  await queue.open();
  const pool = new WorkerPool({ queue, size: 1, killGrace: 100, ...options });
  return {
    queue,
    pool,
    async final(id, timeout = 10_000) {
      const job = await queue.waitForFinal(id, { timeout });
      if (job === undefined || !["completed", "failed", "cancelled"].includes(job.status)) {
        throw new Error(`job ${id} is not final after ${timeout} ms: ${job?.status}`);
      }
      return job;
    },
    async close() {
      // The queue leaves the cluster (its node's row, its lease) before the store closes.
      const left = queue.close();
      pool.close();
      await left;
      await store.close();
    },
  };
}
