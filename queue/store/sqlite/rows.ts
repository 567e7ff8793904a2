/**
 * How a job maps to a row of the `jobs` table and back: the columns queries use, and the rest
 * as one JSON `data` value. Absent optional fields stay absent.
 * @module
 */

import type { Job } from "../../job.ts";
import type { JobStatus } from "../../lifecycle.ts";

/** A row as `node:sqlite` returns it. */
export interface JobRow {
  seq: number;
  id: string;
  status: string;
  type: string;
  run_at: number;
  finished_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  lease_token: string | null;
  attempt_started_at: number | null;
  attempt_worker: string | null;
  data: string;
}

/** The columns an insert writes, in the order of {@linkcode pushInsertValues}. */
export const INSERT_COLUMNS = ["seq", "id", "status", "type", "run_at", "finished_at", "data"];

export type SqlValue = string | number | null;

/**
 * The JSON `data` of a job: every field that no query filters on. A running job's open attempt
 * lives in the `attempt_*` columns instead, so claiming a job does not rewrite its data.
 */
export function jobData(job: Job): string {
  const attempts = openAttempt(job) === undefined ? job.attempts : job.attempts.slice(0, -1);
  return JSON.stringify({
    payload: job.payload ?? null,
    maxAttempts: job.maxAttempts,
    timeout: job.timeout,
    backoff: job.backoff,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    progress: job.progress,
    attempts,
    logs: job.logs,
    result: job.result,
    error: job.error,
    retryOf: job.retryOf,
    retriedBy: job.retriedBy,
  });
}

/** Appends a job's values for {@linkcode INSERT_COLUMNS} to a statement's parameters. */
export function pushInsertValues(values: SqlValue[], job: Job): void {
  values.push(
    job.seq,
    job.id,
    job.status,
    job.type,
    job.runAt,
    job.finishedAt ?? null,
    jobData(job),
  );
}

/** The attempt a running job is on, if it is still open. */
function openAttempt(job: Job) {
  const last = job.attempts.at(-1);
  return job.status === "in-progress" && last !== undefined && last.endedAt === undefined
    ? last
    : undefined;
}

/**
 * Values for `status, run_at, finished_at, lease_owner, lease_expires_at, lease_token,
 * attempt_started_at, attempt_worker, data`, in that order.
 */
export function updateValues(job: Job): SqlValue[] {
  const open = openAttempt(job);
  const leased = job.status === "in-progress";
  return [
    job.status,
    job.runAt,
    job.finishedAt ?? null,
    leased ? job.leaseOwner ?? null : null,
    leased ? job.leaseExpiresAt ?? null : null,
    leased ? job.leaseToken ?? null : null,
    open?.startedAt ?? null,
    open?.workerId ?? null,
    jobData(job),
  ];
}

/** The job a row holds. */
export function rowToJob(row: JobRow): Job {
  const data = JSON.parse(row.data);
  const job: Job = {
    id: row.id,
    seq: row.seq,
    type: row.type,
    payload: data.payload,
    status: row.status as JobStatus,
    maxAttempts: data.maxAttempts,
    timeout: data.timeout,
    backoff: data.backoff,
    createdAt: data.createdAt,
    runAt: row.run_at,
    updatedAt: data.updatedAt,
    progress: data.progress,
    attempts: data.attempts,
    logs: data.logs,
  };
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  if ("result" in data) job.result = data.result;
  if (data.error !== undefined) job.error = data.error;
  if (data.retryOf !== undefined) job.retryOf = data.retryOf;
  if (data.retriedBy !== undefined) job.retriedBy = data.retriedBy;
  if (row.lease_owner !== null) job.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) job.leaseExpiresAt = row.lease_expires_at;
  if (row.lease_token !== null) job.leaseToken = row.lease_token;
  if (row.attempt_started_at !== null) {
    job.updatedAt = Math.max(job.updatedAt, row.attempt_started_at);
    job.attempts.push({
      number: job.attempts.length + 1,
      startedAt: row.attempt_started_at,
      workerId: row.attempt_worker ?? "",
    });
  }
  return job;
}
