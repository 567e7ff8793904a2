/**
 * Enqueue: validates every job, waits for room for all of them, and stores them, all or
 * nothing; then tells the scheduler about delayed jobs and the pool about ready ones.
 * @module
 */

import { ShuttingDownError, ValidationError } from "../errors.ts";
import type { JobEvents } from "../events.ts";
import type { JobTypes } from "../handlers/job_types.ts";
import type { Job, NewJob } from "../job.ts";
import type { NotifyReady } from "../ready.ts";
import type { JobStore } from "../store/job_store.ts";
import type { Capacity } from "./capacity.ts";
import { buildJob } from "./job_builder.ts";

/** What an {@linkcode Enqueuer} works with. */
export interface EnqueuerDeps {
  store: JobStore;
  registry: JobTypes;
  events: JobEvents;
  capacity: Capacity;
  now: () => number;
  /** Whether the queue still takes work. */
  closed: () => boolean;
  /** A delayed job is due at `at` (epoch ms). */
  wakeAt: (at: number) => void;
  /** Jobs of these types are ready to claim. */
  notifyReady: NotifyReady;
}

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** Gives up waiting for room when aborted; nothing is stored. */
  signal?: AbortSignal;
  /** Whether field names carry the job's index. Default: when there is more than one job. */
  batch?: boolean;
}

/**
 * @example
 * ```ts ignore
 * const enqueuer = new Enqueuer({ store, registry, events, capacity, now, closed, wakeAt, notifyReady });
 * const [job] = await enqueuer.enqueue([{ type: "noop", payload: {} }]);
 * ```
 */
export class Enqueuer {
  #deps: EnqueuerDeps;

  constructor(deps: EnqueuerDeps) {
    this.#deps = deps;
  }

  /**
   * Validates every job, waits (up to the capacity's `enqueueWait`) for room for all of them,
   * and stores them: all or nothing. Rejects with `ValidationError`, `QueueFullError` or
   * `ShuttingDownError`; if `signal` aborts while waiting, nothing is stored.
   */
  async enqueue(items: NewJob[], options: EnqueueOptions = {}): Promise<Job[]> {
    const { store, registry, events, capacity, now, closed } = this.#deps;
    if (closed()) throw new ShuttingDownError();
    if (items.length === 0) throw new ValidationError("At least one job is required", "jobs");
    // Field names carry the index when the caller sent an array, even of one job.
    const batch = options.batch ?? items.length > 1;
    const checks = items.map((item, index) => ({
      type: item.type,
      payload: item.payload,
      prefix: batch ? `[${index}].` : "",
    }));
    // Synchronous for the built-in types; a round trip to the catalog worker for the others.
    const checked = registry.check(checks);
    const results = checked instanceof Promise ? await checked : checked;
    if (closed()) throw new ShuttingDownError();
    const jobs = items.map((item, index) =>
      buildJob(registry, item, checks[index].prefix, now(), results[index])
    );
    await capacity.reserve(jobs.length, options);
    let inserted: Job[];
    try {
      if (closed()) throw new ShuttingDownError();
      inserted = await store.insert({ jobs });
    } catch (error) {
      capacity.unreserve(jobs.length);
      throw error;
    }
    capacity.stored(jobs.length);
    if (events.active) {
      for (const job of inserted) events.emit({ type: "enqueued", job });
    }
    const ready = new Set<string>();
    for (const job of inserted) {
      if (job.status === "scheduled") this.#deps.wakeAt(job.runAt);
      else ready.add(job.type);
    }
    if (ready.size > 0) this.#deps.notifyReady(ready);
    return inserted;
  }
}
