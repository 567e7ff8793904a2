/**
 * How an attempt ends: the attempt closed with its outcome, and the job moved on by the retry
 * policy — completed, retried after backoff (`scheduled`), or failed for good.
 * @module
 */

import { backoffDelay } from "../backoff.ts";
import type { Attempt, AttemptOutcome, Job } from "../job.ts";
import { assertTransition, isUnfinished, type JobStatus } from "../lifecycle.ts";

/** How an attempt ended, as the pool reports it. `job` is the snapshot the pool claimed. */
export type AttemptReport =
  | { job: Job; outcome: "completed"; result: unknown }
  | {
    job: Job;
    outcome: Exclude<AttemptOutcome, "completed" | "cancelled">;
    error: string;
    stack?: string;
    /** Fail now, whatever attempts remain (the handler threw `UnrecoverableError`). */
    unrecoverable?: boolean;
  };

/** A copy of `job` moved to `status`, its open attempt (if any) closed with `end`. */
export function endAttempt(
  job: Job,
  status: JobStatus,
  now: number,
  end: Pick<Attempt, "outcome" | "error" | "stack">,
): Job {
  assertTransition(job.id, job.status, status);
  const attempts = job.attempts.slice();
  const last = attempts.at(-1);
  if (job.status === "in-progress" && last !== undefined && last.endedAt === undefined) {
    attempts[attempts.length - 1] = { ...last, endedAt: now, ...end };
  }
  return {
    ...job,
    status,
    attempts,
    updatedAt: now,
    finishedAt: isUnfinished(status) ? undefined : now,
  };
}

/**
 * The job after the reported attempt: `completed` with its result; or, on failure, `scheduled`
 * for a retry after backoff while attempts remain, else `failed`.
 *
 * @example
 * ```ts ignore
 * const next = settleAttempt({ job, outcome: "failed", error: "boom" }, Date.now());
 * ```
 */
export function settleAttempt(
  report: AttemptReport,
  now: number,
  random: () => number = Math.random,
): Job {
  const { job } = report;
  if (report.outcome === "completed") {
    const next = endAttempt(job, "completed", now, { outcome: "completed" });
    next.result = report.result;
    next.progress = 100;
    next.error = undefined;
    return next;
  }
  const attempt = job.attempts.length;
  const exhausted = report.unrecoverable === true || attempt >= job.maxAttempts;
  const end = { outcome: report.outcome, error: report.error, stack: report.stack };
  if (exhausted) {
    const next = endAttempt(job, "failed", now, end);
    next.error = report.error;
    return next;
  }
  const next = endAttempt(job, "scheduled", now, end);
  next.error = report.error;
  next.runAt = now + backoffDelay(job.backoff, attempt, random);
  next.finishedAt = undefined;
  return next;
}
