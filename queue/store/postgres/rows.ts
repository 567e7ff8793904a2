/**
 * How a job maps to a row of the `jobs` table and back: the columns queries use, and the rest
 * as one `json` value. Inserted rows travel to the server as JSON records (`json_to_recordset`),
 * so a batch of any size is one statement with one parameter (updates: `job_updates.ts`). And
 * how a query names a status, so that its plan can use the status's partial index.
 * @module
 */

import type { Job } from "../../job.ts";
import { JOB_STATUSES, type JobStatus } from "../../lifecycle.ts";
import type { Queries } from "./connection.ts";
import {
  type JobColumns,
  type JobData,
  jobDataFields,
  jobFromRow,
  leaseColumns,
} from "../row_fields.ts";

/**
 * A row as postgres.js returns it (int8 as numbers, `json` parsed): `updated_at` and
 * `retried_by` are columns here, not `data` fields.
 */
export interface JobRow extends JobColumns {
  updated_at: number;
  retried_by: string | null;
  data: JobData;
}

/** A job's columns as a JSON record, named as the table's columns. */
export type JobRecord = Omit<JobRow, "seq">;

/** The column list of a {@linkcode JobRecord} for `json_to_recordset(...) AS r(...)`. */
export const RECORD_COLUMNS = `id text, status text, type text, run_at bigint,
  updated_at bigint, finished_at bigint, retried_by text, lease_owner text, lease_expires_at bigint,
  lease_token text, attempt_started_at bigint, attempt_worker text, data json`;

/**
 * A job as a record: a running job's open attempt lives in the `attempt_*` columns and its
 * `updatedAt` in `updated_at`, so a claim or a promotion writes a few columns and no `data`; a
 * job out of `in-progress` holds no lease.
 */
export function jobRecord(job: Job): JobRecord {
  return {
    id: job.id,
    status: job.status,
    type: job.type,
    run_at: job.runAt,
    updated_at: job.updatedAt,
    finished_at: job.finishedAt ?? null,
    retried_by: job.retriedBy ?? null,
    ...leaseColumns(job),
    data: jobDataFields(job),
  };
}

/** The job a row holds: `data` comes parsed; `updatedAt` and `retriedBy` from their columns. */
export function rowToJob(row: JobRow): Job {
  return jobFromRow(row, row.data, {
    updatedAt: row.updated_at,
    retriedBy: row.retried_by ?? undefined,
  });
}

/**
 * `status = '…'` with the status written out, not a parameter: a plan made for any status (as
 * a prepared statement's may be) could use none of the partial indexes. A string that is no
 * status matches no row.
 */
export function statusIs(sql: Queries, status: JobStatus) {
  return sql.unsafe(JOB_STATUSES.includes(status) ? `status = '${status}'` : "FALSE");
}
