/**
 * How a job maps to a row of the `jobs` table and back. Absent optional fields stay absent.
 * @module
 */

import type { Job } from "../job.ts";
import type { JobStatus } from "../lifecycle.ts";

/** A row as `node:sqlite` returns it. */
export interface JobRow {
  seq: number;
  id: string;
  type: string;
  status: string;
  payload: string;
  max_attempts: number;
  timeout: number;
  backoff: string;
  created_at: number;
  run_at: number;
  updated_at: number;
  finished_at: number | null;
  progress: number;
  attempts: string;
  logs: string;
  result: string | null;
  error: string | null;
  retry_of: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

/** The columns written from a job, in the order of {@linkcode jobValues}. */
export const JOB_COLUMNS = [
  "id",
  "type",
  "status",
  "payload",
  "max_attempts",
  "timeout",
  "backoff",
  "created_at",
  "run_at",
  "updated_at",
  "finished_at",
  "progress",
  "attempts",
  "logs",
  "result",
  "error",
  "retry_of",
  "lease_owner",
  "lease_expires_at",
] as const;

type SqlValue = string | number | null;

/** A job's values for {@linkcode JOB_COLUMNS}. A lease is kept only while in progress. */
export function jobValues(job: Job): SqlValue[] {
  const leased = job.status === "in-progress";
  return [
    job.id,
    job.type,
    job.status,
    JSON.stringify(job.payload ?? null),
    job.maxAttempts,
    job.timeout,
    JSON.stringify(job.backoff),
    job.createdAt,
    job.runAt,
    job.updatedAt,
    job.finishedAt ?? null,
    job.progress,
    JSON.stringify(job.attempts),
    JSON.stringify(job.logs),
    job.result === undefined ? null : JSON.stringify(job.result),
    job.error ?? null,
    job.retryOf ?? null,
    leased ? job.leaseOwner ?? null : null,
    leased ? job.leaseExpiresAt ?? null : null,
  ];
}

/** The job a row holds. */
export function rowToJob(row: JobRow): Job {
  const job: Job = {
    id: row.id,
    seq: row.seq,
    type: row.type,
    payload: JSON.parse(row.payload),
    status: row.status as JobStatus,
    maxAttempts: row.max_attempts,
    timeout: row.timeout,
    backoff: JSON.parse(row.backoff),
    createdAt: row.created_at,
    runAt: row.run_at,
    updatedAt: row.updated_at,
    progress: row.progress,
    attempts: JSON.parse(row.attempts),
    logs: JSON.parse(row.logs),
  };
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  if (row.result !== null) job.result = JSON.parse(row.result);
  if (row.error !== null) job.error = row.error;
  if (row.retry_of !== null) job.retryOf = row.retry_of;
  if (row.lease_owner !== null) job.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) job.leaseExpiresAt = row.lease_expires_at;
  return job;
}
