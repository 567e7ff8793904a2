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
import { type NotifyReady, typesOf } from "../ready.ts";
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
  /** Completed jobs are not kept (retention of 0): each is removed as it completes. */
  removeCompleted?: boolean;
  now: () => number;
  random: () => number;
  closed: () => boolean;
  /** A job retried after backoff is due at `at`. */
  wakeAt: (at: number) => void;
  /** Jobs of these types are ready to claim. */
  notifyReady: NotifyReady;
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

  /**
   * Hands up to `limit` queued jobs to `workerId`, oldest first, under this process's lease:
   * of any type, or (with `types`) of those only, an empty list taking none.
   */
  async claim(limit: number, workerId: string, types?: readonly string[]): Promise<Job[]> {
    const { store, events, closed, owner, leaseMs } = this.#deps;
    if (closed()) return [];
    const now = this.#deps.now();
    const jobs = await store.claim({
      limit,
      types,
      workerId,
      now,
      leaseOwner: owner,
      leaseUntil: now + leaseMs,
    });
    if (events.active) { for (const job of jobs) events.emit({ type: "started", job }); }
    return jobs;
  }

  /**
   * Extends the leases of the attempts this process still runs; resolves with the ids renewed.
   * A job left out lost its lease (rescued, cancelled or removed): its attempt is stale, and
   * nothing it reports will be stored.
   */
  async renewLeases(jobs: Pick<Job, "id" | "leaseToken">[]): Promise<string[]> {
    if (jobs.length === 0) return [];
    return await this.#deps.store.renewLeases({
      owner: this.#deps.owner,
      until: this.#deps.now() + this.#deps.leaseMs,
      leases: jobs.map((job) => ({ id: job.id, leaseToken: job.leaseToken ?? "" })),
    });
  }

  /** Records progress reported by a running attempt (`leaseToken` names the attempt). */
  progress(jobId: string, value: number, leaseToken?: string): void {
    const progress = this.#deps.live.progress(jobId, value, leaseToken);
    const { events } = this.#deps;
    if (events.active) events.emit({ type: "progress", jobId, progress });
  }

  /** Records a log line written by a running attempt (`leaseToken` names the attempt). */
  log(jobId: string, attempt: number, message: string, leaseToken?: string): void {
    this.#deps.live.log(jobId, attempt, message, leaseToken);
    const { events } = this.#deps;
    if (events.active) events.emit({ type: "log", jobId, message });
  }

  /**
   * Ends attempts: completed, or failed then retried after backoff or failed for good. Each
   * applies only while its attempt is the job's current one: a report for a job cancelled,
   * removed or rescued meanwhile is refused (and counted). With `expiredBefore`, only attempts
   * whose lease ran out before then are ended (a rescue); `rescue` says it is one whatever the
   * leases (a dead node's jobs): a refusal then is no stale outcome. A completed job is removed
   * instead of kept when retention keeps completed jobs for no time. Resolves with how many
   * were ended.
   */
  async finish(
    reports: AttemptReport[],
    options: { expiredBefore?: number; rescue?: boolean } = {},
  ): Promise<number> {
    const { store, events, live, statistics, random } = this.#deps;
    const now = this.#deps.now();
    const remove = this.#deps.removeCompleted === true;
    const updates = reports.map((report) => {
      const job = settleAttempt({ ...report, job: live.withLive(report.job) }, now, random);
      const fence = { leaseToken: report.job.leaseToken, expiredBefore: options.expiredBefore };
      return remove && job.status === "completed"
        ? { from: "in-progress" as const, job, fence, remove }
        : { from: "in-progress" as const, job, fence };
    });
    const applied = await store.update({ updates });
    // What was written decides the rest: a refused rescue leaves its attempt running, with
    // what it reported; a refused outcome counts as stale, not as an attempt of its type.
    const written = new Set(applied.map((job) => job.id));
    const rescue = options.expiredBefore !== undefined || options.rescue === true;
    for (const report of reports) {
      const stored = written.has(report.job.id);
      if (stored || !rescue) live.forget(report.job.id, report.job.leaseToken);
      if (!stored) continue;
      const started = report.job.attempts.at(-1)?.startedAt ?? now;
      statistics.attemptEnded(report.job.type, now - started, report.outcome !== "completed");
    }
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
    const refused = reports.length - applied.length;
    if (refused > 0 && !rescue) statistics.staleOutcomes(refused);
    this.#deps.capacity.release(released);
    return applied.length;
  }

  /**
   * Puts running jobs back without losing an attempt (their worker was replaced, or shutdown
   * stopped them): queued at once, or with `delayMs`, scheduled for then.
   */
  async requeue(jobs: Job[], options: { delayMs?: number } = {}): Promise<void> {
    if (jobs.length === 0) return;
    const { store, events, live } = this.#deps;
    const now = this.#deps.now();
    const delayMs = options.delayMs ?? 0;
    const status = delayMs > 0 ? "scheduled" as const : "queued" as const;
    const updates = jobs.map((job) => {
      assertTransition(job.id, job.status, status);
      const current = live.withLive(job);
      return {
        from: "in-progress" as const,
        job: {
          ...job,
          status,
          attempts: job.attempts.slice(0, -1),
          logs: current.logs,
          runAt: now + delayMs,
          updatedAt: now,
        },
        fence: { leaseToken: job.leaseToken },
      };
    });
    const applied = await store.update({ updates });
    // Only once written: a put-back the store could not take is tried again, with these logs.
    for (const job of jobs) live.forget(job.id, job.leaseToken);
    if (events.active) {
      for (const job of applied) events.emit({ type: "requeued", job });
    }
    if (applied.length === 0) return;
    if (status === "scheduled") this.#deps.wakeAt(now + delayMs);
    else this.#deps.notifyReady(typesOf(applied));
  }
}
