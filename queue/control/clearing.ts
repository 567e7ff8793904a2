/**
 * Removing jobs: one by id (an unfinished one is cancelled first, so a running one's worker
 * stops), or every job, or every job in a status. A clear removes jobs waiting to run without
 * writing them as cancelled first; running ones are cancelled so their workers stop.
 * @module
 */

import type { LiveAttempts } from "../attempts/live_attempts.ts";
import type { Capacity } from "../enqueue/capacity.ts";
import { JobNotFoundError } from "../errors.ts";
import type { JobEvents } from "../events.ts";
import type { Job } from "../job.ts";
import { isUnfinished, type JobStatus } from "../lifecycle.ts";
import type { DeleteParams, JobStore } from "../store/job_store.ts";
import { type Cancellation, cancelUpdate, ignoreFinished } from "./cancellation.ts";

/** What a {@linkcode Clearing} works with. */
export interface ClearingDeps {
  store: JobStore;
  events: JobEvents;
  live: LiveAttempts;
  capacity: Capacity;
  cancellation: Cancellation;
  now: () => number;
}

/** Jobs listed, and removed, at a time. */
const PAGE = 100;

/**
 * @example
 * ```ts ignore
 * const clearing = new Clearing({ store, events, live, capacity, cancellation, now });
 * await clearing.clear("completed");
 * ```
 */
export class Clearing {
  #deps: ClearingDeps;

  constructor(deps: ClearingDeps) {
    this.#deps = deps;
  }

  /** Removes a job; an unfinished one is cancelled first (a running one's worker is told). */
  async delete(id: string): Promise<Job> {
    const { store, events, cancellation } = this.#deps;
    const job = await store.get({ id });
    if (job === undefined) throw new JobNotFoundError(id);
    if (isUnfinished(job.status)) {
      await cancellation.cancel(id, "Deleted by request").catch(ignoreFinished);
    }
    const { removed } = await store.delete({ ids: [id] });
    if (removed === 0) throw new JobNotFoundError(id);
    if (events.active) events.emit({ type: "deleted", jobId: id });
    return job;
  }

  /**
   * Removes every job, or every job with `status`. Jobs waiting to run (queued, scheduled) are
   * removed a hundred at a time without being written as cancelled first (they would be
   * deleted right after); running ones are cancelled first. Either way a `cancelled` event is
   * emitted per job, then one `cleared`.
   */
  async clear(status?: JobStatus): Promise<number> {
    const { store, events } = this.#deps;
    let removed = 0;
    for (const waiting of ["queued", "scheduled"] as const) {
      if (status !== undefined && status !== waiting) continue;
      for (;;) {
        const page = await store.list({ status: waiting, limit: PAGE });
        if (page.length === 0) break;
        // Guarded by status: a job started since the listing stays, for the pass below.
        const gone = await this.#remove({ ids: page.map((job) => job.id), status: waiting });
        removed += gone;
        if (events.active) await this.#emitCleared(page, gone);
      }
    }
    if (status === undefined || status === "in-progress") {
      for (;;) {
        const page = await store.list({ status: "in-progress", limit: PAGE });
        if (page.length === 0) break;
        await this.#deps.cancellation.cancelAll(page, "Cleared by request");
        // Cleared by their status: removed now if cancelled here (one that finished meanwhile
        // is no longer in progress, and stays); with no status, below with the rest.
        if (status !== undefined) {
          removed += await this.#remove({ ids: page.map((j) => j.id), status: "cancelled" });
        }
      }
    }
    if (status === undefined || !isUnfinished(status)) {
      removed += await this.#remove(status === undefined ? {} : { status });
    }
    if (events.active) events.emit({ type: "cleared", status, count: removed });
    return removed;
  }

  /**
   * A delete that gives back the room of the unfinished jobs it removes: waiting ones, or any
   * enqueued since the cancel pass (cancelled ones gave theirs back already).
   */
  async #remove(params: DeleteParams): Promise<number> {
    const { removed, unfinished } = await this.#deps.store.delete(params);
    this.#deps.capacity.release(unfinished);
    return removed;
  }

  /** `cancelled` events for waiting jobs a clear removed (those still there were not). */
  async #emitCleared(page: Job[], removed: number): Promise<void> {
    const { store, events, live } = this.#deps;
    let gone = page;
    if (removed < page.length) {
      const left = await Promise.all(page.map((job) => store.get({ id: job.id })));
      gone = page.filter((_, i) => left[i] === undefined);
    }
    const now = this.#deps.now();
    for (const job of gone) {
      events.emit({
        type: "cancelled",
        job: cancelUpdate(live.withLive(job), "Cleared by request", now).job,
      });
    }
  }
}
