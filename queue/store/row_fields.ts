/**
 * What the SQL drivers map the same way between the domain and their tables: a job's columns
 * and its `data` fields, a key's row, a node's row. Each driver keeps what differs — how it
 * reads `data` and a node's `types`, and where it keeps a job's `updatedAt` and `retriedBy` —
 * and passes it in. Imports the domain only, never a driver.
 * @module
 */

import type { Job } from "../job.ts";
import type { ApiKey, Role } from "../keys/api_key.ts";
import type { JobStatus } from "../lifecycle.ts";
import type { NodeRecord } from "./node_store.ts";

/** The `jobs` columns both SQL drivers hold and read the same way. */
export interface JobColumns {
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
}

/** The fields of a job no query filters on, kept in `data` by both SQL drivers. */
export interface JobData {
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

/** The attempt a running job is on, if it is still open. */
function openAttempt(job: Job) {
  const last = job.attempts.at(-1);
  return job.status === "in-progress" && last !== undefined && last.endedAt === undefined
    ? last
    : undefined;
}

/**
 * A job's {@linkcode JobData}: a running job's open attempt lives in the `attempt_*` columns
 * instead (see {@linkcode leaseColumns}), so claiming a job does not rewrite its data.
 */
export function jobDataFields(job: Job): JobData {
  return {
    payload: job.payload ?? null,
    maxAttempts: job.maxAttempts,
    timeout: job.timeout,
    backoff: job.backoff,
    createdAt: job.createdAt,
    progress: job.progress,
    attempts: openAttempt(job) === undefined ? job.attempts : job.attempts.slice(0, -1),
    logs: job.logs,
    result: job.result,
    error: job.error,
    retryOf: job.retryOf,
  };
}

/** A job's lease and open-attempt columns; a job out of `in-progress` holds no lease. */
export function leaseColumns(job: Job): Pick<
  JobColumns,
  "lease_owner" | "lease_expires_at" | "lease_token" | "attempt_started_at" | "attempt_worker"
> {
  const open = openAttempt(job);
  const leased = job.status === "in-progress";
  return {
    lease_owner: leased ? job.leaseOwner ?? null : null,
    lease_expires_at: leased ? job.leaseExpiresAt ?? null : null,
    lease_token: leased ? job.leaseToken ?? null : null,
    attempt_started_at: open?.startedAt ?? null,
    attempt_worker: open?.workerId ?? null,
  };
}

/** Where a driver keeps the job fields that are not in {@linkcode JobColumns} or `JobData`. */
export interface KeptApart {
  updatedAt: number;
  retriedBy: string | undefined;
}

/** The job a row holds, given its parsed `data`; absent optional fields stay absent. */
export function jobFromRow(row: JobColumns, data: JobData, kept: KeptApart): Job {
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
    updatedAt: kept.updatedAt,
    progress: data.progress,
    attempts: data.attempts,
    logs: data.logs,
  };
  if (row.finished_at !== null) job.finishedAt = row.finished_at;
  if ("result" in data) job.result = data.result;
  if (data.error !== undefined) job.error = data.error;
  if (data.retryOf !== undefined) job.retryOf = data.retryOf;
  if (kept.retriedBy !== undefined) job.retriedBy = kept.retriedBy;
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

/** A row of `api_keys` as both SQL drivers read it. */
export interface KeyRow {
  id: string;
  name: string;
  role: Role;
  secret_hash: Uint8Array;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** The key a row holds; absent times are left out, not `undefined`. */
export function rowToKey(row: KeyRow): ApiKey {
  const key: ApiKey = { id: row.id, name: row.name, role: row.role, createdAt: row.created_at };
  if (row.expires_at !== null) key.expiresAt = row.expires_at;
  if (row.revoked_at !== null) key.revokedAt = row.revoked_at;
  if (row.last_used_at !== null) key.lastUsedAt = row.last_used_at;
  return key;
}

/** The `nodes` columns both SQL drivers read the same way (`types` each reads its own way). */
export interface NodeColumns {
  id: string;
  name: string;
  host: string;
  version: string;
  started_at: number;
  heartbeat_at: number;
  workers: number;
  busy: number;
}

/** The node a row holds, given its `types` as the driver read them. */
export function nodeFromRow(row: NodeColumns, types: string[]): NodeRecord {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    version: row.version,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    workers: row.workers,
    busy: row.busy,
    types,
  };
}
