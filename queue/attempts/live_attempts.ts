/**
 * What running attempts report as they go (progress, log lines), held in memory until the
 * attempt ends and its outcome is stored with them: a progress report costs no write.
 * @module
 */

import { type Job, MAX_LOGS_PER_JOB } from "../job.ts";

/** Progress and log lines a running attempt reported so far. */
export interface LiveReport {
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

  /** Records progress (clamped to 0–100); returns the value kept. */
  progress(jobId: string, value: number): number {
    const report = this.#reportOf(jobId);
    report.progress = Math.max(0, Math.min(100, value));
    return report.progress;
  }

  /** Records a log line of `attempt`, keeping the last `MAX_LOGS_PER_JOB`. */
  log(jobId: string, attempt: number, message: string): void {
    const report = this.#reportOf(jobId);
    report.logs.push({ at: this.#now(), attempt, message: String(message).slice(0, 2000) });
    if (report.logs.length > MAX_LOGS_PER_JOB) report.logs.shift();
  }

  /** What the job's attempt reported so far, if anything. */
  reportOf(jobId: string): LiveReport | undefined {
    return this.#reports.get(jobId);
  }

  /** Drops what the job's attempt reported (it ended, or its outcome carries it now). */
  forget(jobId: string): void {
    this.#reports.delete(jobId);
  }

  /** The job with the progress and log lines its running attempt reported so far. */
  withLive(job: Job): Job {
    const report = this.#reports.get(job.id);
    if (report === undefined) return job;
    const logs = report.logs.length === 0 ? job.logs : [...job.logs, ...report.logs];
    return { ...job, progress: report.progress, logs: logs.slice(-MAX_LOGS_PER_JOB) };
  }

  #reportOf(jobId: string): LiveReport {
    let report = this.#reports.get(jobId);
    if (report === undefined) {
      report = { progress: 0, logs: [] };
      this.#reports.set(jobId, report);
    }
    return report;
  }
}
