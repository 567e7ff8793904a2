/**
 * How a job looks in JSON: camelCase, timestamps as ISO 8601 strings.
 * @module
 */

import type { Attempt, Job } from "../queue/job.ts";

// Jobs of one batch share their timestamps: remember the last conversion.
let lastMs = NaN;
let lastIso = "";

function iso(ms: number): string;
function iso(ms: number | undefined): string | undefined;
function iso(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function attemptView(attempt: Attempt) {
  return {
    number: attempt.number,
    workerId: attempt.workerId,
    startedAt: iso(attempt.startedAt),
    endedAt: iso(attempt.endedAt),
    durationMs: attempt.endedAt === undefined ? undefined : attempt.endedAt - attempt.startedAt,
    outcome: attempt.outcome,
    error: attempt.error,
    stack: attempt.stack,
  };
}

/** A job for listings: without attempts and logs. */
export function jobSummary(job: Job) {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    payload: job.payload,
    attempt: job.attempts.length,
    maxAttempts: job.maxAttempts,
    timeout: job.timeout,
    backoff: job.backoff,
    progress: job.progress,
    result: job.result,
    error: job.error,
    retryOf: job.retryOf,
    retriedBy: job.retriedBy,
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    runAt: iso(job.runAt),
    finishedAt: iso(job.finishedAt),
  };
}

/** A job in full: with every attempt and its log. */
export function jobDetail(job: Job) {
  return {
    ...jobSummary(job),
    attempts: job.attempts.map(attemptView),
    logs: job.logs.map((line) => ({ ...line, at: iso(line.at) })),
  };
}
