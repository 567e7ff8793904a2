/**
 * What running attempts report as they go (progress, log lines), held in memory until the
 * attempt ends and its outcome is stored with them: a progress report costs no write.
 * @module
 */

import { type Job, MAX_LOG_LINE_LENGTH, MAX_LOGS_PER_JOB } from "../job.ts";

/** Progress and log lines a running attempt reported so far. */
export interface LiveReport {
  /** The attempt's lease token: what it reported belongs to that attempt alone. */
  leaseToken?: string;
  progress: number;
  logs: Job["logs"];
}

/**
 * @example
 * ```ts
 * import { LiveAttempts } from "./live_attempts.ts";
 * const live = new LiveAttempts();
 * live.progress("job-1", 40);
 * live.forget("job-1");
 * ```
 */
export class LiveAttempts {
  #reports = new Map<string, LiveReport>();
  #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Records progress (clamped to 0–100) of the attempt `leaseToken`; returns the value kept. */
  progress(jobId: string, value: number, leaseToken?: string): number {
    const report = this.#reportOf(jobId, leaseToken);
    report.progress = Math.max(0, Math.min(100, value));
    return report.progress;
  }

  /** Records a log line of `attempt`, keeping the last `MAX_LOGS_PER_JOB`. */
  log(jobId: string, attempt: number, message: string, leaseToken?: string): void {
    const report = this.#reportOf(jobId, leaseToken);
    report.logs.push({
      at: this.#now(),
      attempt,
      message: String(message).slice(0, MAX_LOG_LINE_LENGTH),
    });
    if (report.logs.length > MAX_LOGS_PER_JOB) report.logs.shift();
  }

  /** What the job's attempt reported so far, if anything. */
  reportOf(jobId: string): LiveReport | undefined {
    return this.#reports.get(jobId);
  }

  /**
   * Drops what the job's attempt reported (it ended, or its outcome carries it now); with
   * `leaseToken`, only if it is that attempt's (not a later attempt's of the same job).
   */
  forget(jobId: string, leaseToken?: string): void {
    const report = this.#reports.get(jobId);
    if (report !== undefined && sameAttempt(report, leaseToken)) this.#reports.delete(jobId);
  }

  /**
   * The job with the progress and log lines its running attempt reported so far (what another
   * attempt of it reported is left out).
   */
  withLive(job: Job): Job {
    const report = this.#reports.get(job.id);
    if (report === undefined || !sameAttempt(report, job.leaseToken)) return job;
    const logs = report.logs.length === 0 ? job.logs : [...job.logs, ...report.logs];
    return { ...job, progress: report.progress, logs: logs.slice(-MAX_LOGS_PER_JOB) };
  }

  /** The report of the attempt `leaseToken`; one of an earlier attempt is dropped. */
  #reportOf(jobId: string, leaseToken: string | undefined): LiveReport {
    let report = this.#reports.get(jobId);
    if (report === undefined || !sameAttempt(report, leaseToken)) {
      report = { leaseToken, progress: 0, logs: [] };
      this.#reports.set(jobId, report);
    }
    return report;
  }
}

/** Whether a report belongs to the attempt `leaseToken` (either side unknown: assume so). */
function sameAttempt(report: LiveReport, leaseToken: string | undefined): boolean {
  return report.leaseToken === undefined || leaseToken === undefined ||
    report.leaseToken === leaseToken;
}
