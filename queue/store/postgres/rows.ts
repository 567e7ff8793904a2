/**
 * How a job maps to a row of the `jobs` table and back: the columns queries use, and the rest
 * as one `json` value. Rows travel to the server as JSON records (`json_to_recordset`), so a
 * batch of any size is one statement with one parameter.
 * @module
 */

import type { Job } from "../../job.ts";
import type { JobStatus } from "../../lifecycle.ts";

/** A row as postgres.js returns it (int8 as numbers, `json` parsed). */
export interface JobRow {
  seq: number;
  id: string;
  status: string;
  type: string;
  run_at: number;
  updated_at: number;
  finished_at: number | null;
  retried_by: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  lease_token: string | null;
  attempt_started_at: number | null;
  attempt_worker: string | null;
  data: JobData;
}

/** The fields of a job no query filters on. */
interface JobData {
  payload: unknown;
  maxAttempts: number;
  timeout: number;
  backoff: Job["backoff"];
  createdAt: number;
  progress: number;
  attempts: Job["attempts"];
  logs: Job["logs"];
  result?: unknown;
  error?: string;
  retryOf?: string;
}

/** A job's columns as a JSON record, named as the table's columns. */
export interface JobRecord {
  id: string;
  status: string;
  type: string;
  run_at: number;
  updated_at: number;
  finished_at: number | null;
  retried_by: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  lease_token: string | null;
  attempt_started_at: number | null;
  attempt_worker: string | null;
  data: JobData;
}

/** The column list of a {@linkcode JobRecord} for `json_to_recordset(...) AS r(...)`. */
export const RECORD_COLUMNS = `id text, status text, type text, run_at bigint,
  updated_at bigint, finished_at bigint, retried_by text, lease_owner text, lease_expires_at bigint,
  lease_token text, attempt_started_at bigint, attempt_worker text, data json`;

/** The attempt a running job is on, if it is still open. */
function openAttempt(job: Job) {
  const last = job.attempts.at(-1);
  return job.status === "in-progress" && last !== undefined && last.endedAt === undefined
    ? last
    : undefined;
}

/**
 * A job as a record: a running job's open attempt lives in the `attempt_*` columns and its
 * `updatedAt` in `updated_at`, so a claim or a promotion writes a few columns and no `data`; a
 * job out of `in-progress` holds no lease.
 */
export function jobRecord(job: Job): JobRecord {
  const open = openAttempt(job);
  const leased = job.status === "in-progress";
  return {
    id: job.id,
    status: job.status,
    type: job.type,
    run_at: job.runAt,
    updated_at: job.updatedAt,
    finished_at: job.finishedAt ?? null,
    retried_by: job.retriedBy ?? null,
    lease_owner: leased ? job.leaseOwner ?? null : null,
    lease_expires_at: leased ? job.leaseExpiresAt ?? null : null,
    lease_token: leased ? job.leaseToken ?? null : null,
    attempt_started_at: open?.startedAt ?? null,
    attempt_worker: open?.workerId ?? null,
    data: {
      payload: job.payload ?? null,
      maxAttempts: job.maxAttempts,
      timeout: job.timeout,
      backoff: job.backoff,
      createdAt: job.createdAt,
      progress: job.progress,
      attempts: open === undefined ? job.attempts : job.attempts.slice(0, -1),
      logs: job.logs,
      result: job.result,
      error: job.error,
      retryOf: job.retryOf,
    },
  };
}

/** The job a row holds; absent optional fields stay absent. */
export function rowToJob(row: JobRow): Job {
  const { data } = row;
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
    updatedAt: row.updated_at,
    progress: data.progress,
    attempts: data.attempts,
    logs: data.logs,
  };
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  if ("result" in data) job.result = data.result;
  if (data.error !== undefined) job.error = data.error;
  if (data.retryOf !== undefined) job.retryOf = data.retryOf;
  if (row.retried_by !== null) job.retriedBy = row.retried_by;
  if (row.lease_owner !== null) job.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) job.leaseExpiresAt = row.lease_expires_at;
  if (row.lease_token !== null) job.leaseToken = row.lease_token;
  if (row.attempt_started_at !== null) {
    job.attempts.push({
      number: job.attempts.length + 1,
      startedAt: row.attempt_started_at,
      workerId: row.attempt_worker ?? "",
    });
  }
  return job;
}
