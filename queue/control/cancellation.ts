/**
 * Cancelling unfinished jobs. A queued or scheduled job ends `cancelled` at once; so does a
 * running one, whose worker is then told (the pool aborts its signal and kills it after the
 * grace period). Every write is guarded by the status the job was seen in.
 * @module
 */

import { endAttempt } from "../attempts/settle.ts";
import type { LiveAttempts } from "../attempts/live_attempts.ts";
import type { Capacity } from "../enqueue/capacity.ts";
import { JobNotFoundError, JobStateError } from "../errors.ts";
import type { JobEvents } from "../events.ts";
import type { Job } from "../job.ts";
import { isUnfinished } from "../lifecycle.ts";
import type { JobStore, JobUpdate } from "../store/job_store.ts";

/** What a {@linkcode Cancellation} works with. */
export interface CancellationDeps {
  store: JobStore;
  events: JobEvents;
  live: LiveAttempts;
  capacity: Capacity;
  now: () => number;
  /** Told the id of every job cancelled, so that a running one is aborted. */
  notifyCancelled: (jobId: string) => void;
}

/**
 * The update that ends an unfinished job `cancelled` (closing its running attempt), guarded
 * by the status it was seen in and, for a running job, by the attempt it was on.
 *
 * @example
 * ```ts ignore
 * await store.update({ updates: [cancelUpdate(job, "Cancelled by request", Date.now())] });
 * ```
 */
export function cancelUpdate(job: Job, reason: string, now: number): JobUpdate {
  const next = endAttempt(job, "cancelled", now, { outcome: "cancelled", error: reason });
  next.error = reason;
  // A running job is cancelled on the attempt that was seen: one begun since is left alone.
  const fence = job.status === "in-progress" ? { leaseToken: job.leaseToken } : undefined;
  return fence === undefined
    ? { from: job.status, job: next }
    : { from: job.status, job: next, fence };
}

/**
 * @example
 * ```ts ignore
 * const cancellation = new Cancellation({ store, events, live, capacity, now, notifyCancelled });
 * await cancellation.cancel(jobId);
 * ```
 */
export class Cancellation {
  #deps: CancellationDeps;

  constructor(deps: CancellationDeps) {
    this.#deps = deps;
  }

  /** Cancels a queued, scheduled or running job; `JobStateError` if it is already final. */
  async cancel(id: string, reason = "Cancelled by request"): Promise<Job> {
    const { store, live } = this.#deps;
    for (;;) {
      const job = await store.get({ id });
      if (job === undefined) throw new JobNotFoundError(id);
      if (!isUnfinished(job.status)) {
        throw new JobStateError(`Job ${id} is already ${job.status} and cannot be cancelled`);
      }
      const [applied] = await store.update({
        updates: [cancelUpdate(live.withLive(job), reason, this.#deps.now())],
      });
      if (applied === undefined) continue; // It moved meanwhile; look again.
      this.#afterCancel(applied);
      return applied;
    }
  }

  /**
   * Cancels jobs as they were listed, in one store update; any that moved since go through
   * `cancel` one by one (which looks again), skipping those that ended or were deleted
   * meanwhile.
   */
  async cancelAll(jobs: Job[], reason: string): Promise<void> {
    const { store, live } = this.#deps;
    const now = this.#deps.now();
    const applied = await store.update({
      updates: jobs.map((job) => cancelUpdate(live.withLive(job), reason, now)),
    });
    const done = new Set<string>();
    for (const job of applied) {
      done.add(job.id);
      this.#afterCancel(job);
    }
    if (done.size === jobs.length) return;
    await Promise.all(
      jobs.filter((job) => !done.has(job.id)).map((job) =>
        this.cancel(job.id, reason).catch(ignoreGone)
      ),
    );
  }

  /** What follows a cancellation the store applied: room back, running handler told, event. */
  #afterCancel(job: Job): void {
    const { live, capacity, events } = this.#deps;
    live.forget(job.id);
    capacity.release(1);
    this.#deps.notifyCancelled(job.id);
    if (events.active) events.emit({ type: "cancelled", job });
  }
}

/** Swallows the `JobStateError` of a job that finished between the read and the cancel. */
export function ignoreFinished(error: unknown): void {
  if (!(error instanceof JobStateError)) throw error;
}

/** Swallows the error of a job that finished, or was deleted, since it was listed. */
function ignoreGone(error: unknown): void {
  if (!(error instanceof JobNotFoundError)) ignoreFinished(error);
}
