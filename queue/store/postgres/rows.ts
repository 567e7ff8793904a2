/**
 * How a job maps to a row of the `jobs` table and back: the columns queries use, and the rest
 * as one `json` value. Rows travel to the server as JSON, so a batch of any size is one
 * statement with one or two parameters: inserts as arrays of column values beside the arrays of
 * `data` (`job_inserts.ts`), updates as one array per column (`job_updates.ts`). And how a query
 * names a status, so that its plan can use the status's partial index.
 * @module
 */

import type { Job } from "../../job.ts";
import { JOB_STATUSES, type JobStatus } from "../../lifecycle.ts";
import type { Queries } from "./connection.ts";
import { type JobColumns, type JobData, jobFromRow, leaseColumns } from "../row_fields.ts";

/**
 * A row as postgres.js returns it (int8 as numbers, `json` parsed): `updated_at` and
 * `retried_by` are columns here, not `data` fields.
 */
export interface JobRow extends JobColumns {
  updated_at: number;
  retried_by: string | null;
  data: JobData;
}

/**
 * The columns of an inserted row but `data`, in the order of {@linkcode INSERT_VALUES}, as a
 * JSON array `[id, status, type, run_at, updated_at, finished_at, retried_by, lease_owner,
 * lease_expires_at, lease_token, attempt_started_at, attempt_worker]` without its trailing
 * nulls (a new job's are all its last seven).
 */
export function insertValues(job: Job): (string | number | null)[] {
  const values: (string | number | null)[] = [
    job.id,
    job.status,
    job.type,
    job.runAt,
    job.updatedAt,
  ];
  if (job.status === "in-progress") {
    const lease = leaseColumns(job);
    values.push(
      job.finishedAt ?? null,
      job.retriedBy ?? null,
      lease.lease_owner,
      lease.lease_expires_at,
      lease.lease_token,
      lease.attempt_started_at,
      lease.attempt_worker,
    );
  } else if (job.retriedBy !== undefined) {
    values.push(job.finishedAt ?? null, job.retriedBy);
  } else if (job.finishedAt !== undefined) {
    values.push(job.finishedAt);
  }
  while (values.at(-1) === null) values.pop();
  return values;
}

/**
 * The columns of {@linkcode insertValues} read from one of its arrays, `c` (`jsonb`), in the
 * order of `INSERT INTO jobs (id, status, …, attempt_worker)`.
 */
export const INSERT_VALUES = `c->>0, c->>1, c->>2, (c->>3)::bigint, (c->>4)::bigint,
  (c->>5)::bigint, c->>6, c->>7, (c->>8)::bigint, c->>9, (c->>10)::bigint, c->>11`;

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
