/**
 * How a job maps to a row of the `jobs` table and back: the columns queries use, and the rest
 * as one JSON `data` value. Absent optional fields stay absent.
 * @module
 */

import type { Job } from "../../job.ts";
import {
  type JobColumns,
  type JobData,
  jobDataFields,
  jobFromRow,
  leaseColumns,
} from "../row_fields.ts";

/** A row as `node:sqlite` returns it: `data` is JSON text. */
export interface JobRow extends JobColumns {
  data: string;
}

/** What `data` holds here: beside {@linkcode JobData}, `updatedAt` and `retriedBy`. */
interface StoredData extends JobData {
  updatedAt: number;
  retriedBy?: string;
}

/** The columns an insert writes, in the order of {@linkcode pushInsertValues}. */
export const INSERT_COLUMNS = ["seq", "id", "status", "type", "run_at", "finished_at", "data"];

export type SqlValue = string | number | null;

/**
 * The JSON `data` of a job: every field that no query filters on, `updatedAt` and `retriedBy`
 * included. A running job's open attempt lives in the `attempt_*` columns instead, so claiming
 * a job does not rewrite its data.
 */
export function jobData(job: Job): string {
  const data: StoredData = {
    ...jobDataFields(job),
    updatedAt: job.updatedAt,
    retriedBy: job.retriedBy,
  };
  return JSON.stringify(data);
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

/**
 * Values for `status, run_at, finished_at, lease_owner, lease_expires_at, lease_token,
 * attempt_started_at, attempt_worker, data`, in that order.
 */
export function updateValues(job: Job): SqlValue[] {
  const lease = leaseColumns(job);
  return [
    job.status,
    job.runAt,
    job.finishedAt ?? null,
    lease.lease_owner,
    lease.lease_expires_at,
    lease.lease_token,
    lease.attempt_started_at,
    lease.attempt_worker,
    jobData(job),
  ];
}

/**
 * The job a row holds: `data` is parsed from text and holds `updatedAt` and `retriedBy`; a
 * claim writes only the `attempt_*` columns, so a running job was updated no earlier than its
 * open attempt started.
 */
export function rowToJob(row: JobRow): Job {
  const data: StoredData = JSON.parse(row.data);
  const started = row.attempt_started_at;
  return jobFromRow(row, data, {
    updatedAt: started === null ? data.updatedAt : Math.max(data.updatedAt, started),
    retriedBy: data.retriedBy,
  });
}
