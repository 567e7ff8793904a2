/**
 * How a job maps to a row of the `jobs` table and back: the columns queries use, and the rest
 * as one JSON `data` value. Absent optional fields stay absent.
 * @module
 */

import type { Job } from "../job.ts";
import type { JobStatus } from "../lifecycle.ts";

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
  data: string;
}

/** The columns an insert writes, in the order of {@linkcode insertValues}. */
export const INSERT_COLUMNS = ["seq", "id", "status", "type", "run_at", "finished_at", "data"];

type SqlValue = string | number | null;

/** The JSON `data` of a job: every field that no query filters on. */
export function jobData(job: Job): string {
  return JSON.stringify({
    payload: job.payload ?? null,
    maxAttempts: job.maxAttempts,
    timeout: job.timeout,
    backoff: job.backoff,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    progress: job.progress,
    attempts: job.attempts,
    logs: job.logs,
    result: job.result,
    error: job.error,
    retryOf: job.retryOf,
  });
}

/** A job's values for {@linkcode INSERT_COLUMNS}. */
export function insertValues(job: Job): SqlValue[] {
  return [job.seq, job.id, job.status, job.type, job.runAt, job.finishedAt ?? null, jobData(job)];
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
  if (row.lease_owner !== null) job.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) job.leaseExpiresAt = row.lease_expires_at;
  return job;
}
