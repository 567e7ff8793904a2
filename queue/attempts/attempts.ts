/**
 * Running attempts, as the pool drives them: claiming jobs under a lease, renewing it,
 * recording progress and logs, and settling each attempt's outcome with the retry policy
 * (or putting a job back without losing the attempt when its worker was replaced).
 * @module
 */

import type { JobEvents } from "../events.ts";
import type { Job } from "../job.ts";
import { assertTransition, isUnfinished } from "../lifecycle.ts";
import type { Capacity } from "../enqueue/capacity.ts";
import type { QueueStatistics } from "../observe/queue_stats.ts";
import type { JobStore } from "../store/job_store.ts";
import type { LiveAttempts } from "./live_attempts.ts";
import { type AttemptReport, settleAttempt } from "./settle.ts";

/** What {@linkcode Attempts} works with. */
export interface AttemptsDeps {
  store: JobStore;
  events: JobEvents;
  live: LiveAttempts;
  capacity: Capacity;
  statistics: QueueStatistics;
  /** This process's name on the leases it holds. */
  owner: string;
  /** Milliseconds a lease lasts unless renewed. */
  leaseMs: number;
  now: () => number;
  random: () => number;
  closed: () => boolean;
  /** A job retried after backoff is due at `at`. */
  wakeAt: (at: number) => void;
  /** Jobs are ready to claim. */
  notifyReady: () => void;
}

/**
 * @example
 * ```ts ignore
 * const [job] = await attempts.claim(1, "w1");
 * await attempts.finish([{ job, outcome: "completed", result: 42 }]);
 * ```
 */
export class Attempts {
  #deps: AttemptsDeps;

  constructor(deps: AttemptsDeps) {
    this.#deps = deps;
  }

  /** Hands up to `limit` queued jobs to `workerId`, oldest first, under this process's lease. */
  async claim(limit: number, workerId: string): Promise<Job[]> {
    const { store, events, closed, owner, leaseMs } = this.#deps;
    if (closed()) return [];
    const now = this.#deps.now();
    const jobs = await store.claim({
      limit,
      workerId,
      now,
      leaseOwner: owner,
      leaseUntil: now + leaseMs,
    });
    if (events.active) { for (const job of jobs) events.emit({ type: "started", job }); }
    return jobs;
  }

  /**
   * Extends the leases of jobs this process still runs. A job left out (its outcome could not
   * be stored) lets its lease run out, and the rescuer retries it.
   */
  async renewLeases(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return await this.#deps.store.renewLeases({
      owner: this.#deps.owner,
      until: this.#deps.now() + this.#deps.leaseMs,
      ids,
    });
  }

  /** Records progress reported by a running job. */
  progress(jobId: string, value: number): void {
    const progress = this.#deps.live.progress(jobId, value);
    const { events } = this.#deps;
    if (events.active) events.emit({ type: "progress", jobId, progress });
  }

  /** Records a log line written by a running job. */
  log(jobId: string, attempt: number, message: string): void {
    this.#deps.live.log(jobId, attempt, message);
    const { events } = this.#deps;
    if (events.active) events.emit({ type: "log", jobId, message });
  }

  /**
   * Ends attempts: completed, or failed then retried after backoff or failed for good.
   * Reports for jobs that are no longer running (cancelled, deleted) are ignored.
   */
  async finish(reports: AttemptReport[]): Promise<void> {
    const { store, events, live, statistics, random } = this.#deps;
    const now = this.#deps.now();
    const updates = reports.map((report) => ({
      from: "in-progress" as const,
      job: settleAttempt({ ...report, job: live.withLive(report.job) }, now, random),
    }));
    for (const report of reports) {
      live.forget(report.job.id);
      const started = report.job.attempts.at(-1)?.startedAt ?? now;
      statistics.attemptEnded(report.job.type, now - started, report.outcome !== "completed");
    }
    const applied = await store.update({ updates });
    let released = 0;
    let completed = 0;
    let failed = 0;
    for (const job of applied) {
      if (job.status === "completed") completed++;
      else if (job.status === "failed") failed++;
      else this.#deps.wakeAt(job.runAt);
      if (!isUnfinished(job.status)) released++;
      if (events.active) {
        events.emit({
          type: job.status === "scheduled" ? "retrying" : job.status as "completed" | "failed",
          job,
        });
      }
    }
    statistics.finished(completed, failed);
    this.#deps.capacity.release(released);
  }

  /** Puts running jobs back in the queue without losing an attempt (their worker was replaced). */
  async requeue(jobs: Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const { store, events, live } = this.#deps;
    const now = this.#deps.now();
    const updates = jobs.map((job) => {
      assertTransition(job.id, job.status, "queued");
      const current = live.withLive(job);
      live.forget(job.id);
      return {
        from: "in-progress" as const,
        job: {
          ...job,
          status: "queued" as const,
          attempts: job.attempts.slice(0, -1),
          logs: current.logs,
          runAt: now,
          updatedAt: now,
        },
      };
    });
    const applied = await store.update({ updates });
    if (events.active) {
      for (const job of applied) events.emit({ type: "requeued", job });
    }
    if (applied.length > 0) this.#deps.notifyReady();
  }
}
