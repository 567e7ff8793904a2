/**
 * Writing new snapshots of jobs (outcomes, cancels, requeues, rescues) under the status and
 * attempt they were seen in, one statement per round however many jobs it carries. Each column
 * travels as one JSON array, zipped back into rows by `ROWS FROM`: no key repeated per row, no
 * record parsed field by field (as `json_to_recordset` does, `data` again), and a plan that
 * does not depend on how many rows come (the planner expects 100 from each array, so it looks
 * every row up by `id`, whatever the batch size).
 * @module
 */

import type { Job } from "../../job.ts";
import type { JobUpdate } from "../job_store.ts";
import { jobDataFields, leaseColumns } from "../row_fields.ts";
import type { Queries } from "./connection.ts";

/** The type oid of `json`. */
const JSON_OID = 114;

/** A job's lease and open-attempt columns. */
type Lease = ReturnType<typeof leaseColumns>;

/** The columns of an update, in order: each one's name, the type its text is cast to, value. */
const COLUMNS: [
  string,
  "text" | "bigint" | "boolean",
  (update: JobUpdate, lease: Lease) => unknown,
][] = [
  ["id", "text", ({ job }) => job.id],
  ["from_status", "text", ({ from }) => from],
  ["fenced", "boolean", ({ fence }) => fence !== undefined],
  ["fence_token", "text", ({ fence }) => fence?.leaseToken ?? null],
  ["expired_before", "bigint", ({ fence }) => fence?.expiredBefore ?? null],
  ["type", "text", ({ job }) => job.type],
  ["status", "text", ({ job }) => job.status],
  ["run_at", "bigint", ({ job }) => job.runAt],
  ["updated_at", "bigint", ({ job }) => job.updatedAt],
  ["finished_at", "bigint", ({ job }) => job.finishedAt ?? null],
  ["retried_by", "text", ({ job }) => job.retriedBy ?? null],
  ["lease_owner", "text", (_, lease) => lease.lease_owner],
  ["lease_expires_at", "bigint", (_, lease) => lease.lease_expires_at],
  ["lease_token", "text", (_, lease) => lease.lease_token],
  ["attempt_started_at", "bigint", (_, lease) => lease.attempt_started_at],
  ["attempt_worker", "text", (_, lease) => lease.attempt_worker],
];

/** The columns an update writes: from `status` on (a job's id and type never change). */
const WRITTEN = COLUMNS.slice(COLUMNS.findIndex(([column]) => column === "status"));

/** `u.column` as its type. */
function typed(column: string): string {
  const type = COLUMNS.find(([name]) => name === column)![1];
  return type === "text" ? `u.${column}` : `u.${column}::${type}`;
}

/** The update: `u` zips the column arrays ($1 … $n, then `data`), numbered from 1 (`i`). */
const UPDATE = `
  UPDATE jobs j SET ${WRITTEN.map(([column]) => `${column} = ${typed(column)}`).join(", ")},
         data = u.data
    FROM ROWS FROM (${
  COLUMNS.map((_, k) => `json_array_elements_text($${k + 1}::json)`).join(", ")
}, json_array_elements($${COLUMNS.length + 1}::json)) WITH ORDINALITY
         AS u(${COLUMNS.map(([column]) => column).join(", ")}, data, i)
   WHERE j.id = u.id AND j.status = u.from_status AND j.type = u.type
     AND (NOT ${typed("fenced")} OR j.lease_token IS NOT DISTINCT FROM u.fence_token)
     AND (u.expired_before IS NULL OR j.lease_expires_at IS NULL
          OR j.lease_expires_at < ${typed("expired_before")})
  RETURNING u.i, j.seq`;

/**
 * Writes each update whose row is still in `from` (and, with a fence, on that attempt; for a
 * rescue, with its lease still expired): one statement per round, a round holding each job
 * once, so that two updates of one job apply in order. Returns, at each update's index, the job
 * as stored (a job out of `in-progress` holds no lease), or `undefined` where it was refused.
 */
export async function updateJobs(
  tx: Queries,
  updates: JobUpdate[],
): Promise<(Job | undefined)[]> {
  const applied = new Map<number, number>(); // index in `updates` → seq
  for (const round of rounds(updates)) {
    const rows = await tx.unsafe<{ i: number; seq: number }[]>(
      UPDATE,
      // Typed as `json` up front: postgres.js would send an array of booleans as `bool`.
      columnArrays(round.map((i) => updates[i])).map((array) => tx.typed(array as never, JSON_OID)),
      { prepare: true },
    );
    for (const { i, seq } of rows) applied.set(round[i - 1], seq);
  }
  return updates.map(({ job }, i) => {
    const seq = applied.get(i);
    if (seq === undefined) return undefined;
    if (job.status === "in-progress") return { ...job, seq };
    const { leaseOwner: _owner, leaseExpiresAt: _expires, leaseToken: _token, ...stored } = job;
    stored.seq = seq;
    return stored;
  });
}

/** The parameters of {@linkcode UPDATE}: one array per column, then one of `data`. */
function columnArrays(updates: JobUpdate[]): unknown[][] {
  const arrays: unknown[][] = Array.from({ length: COLUMNS.length + 1 }, () => []);
  for (const update of updates) {
    const lease = leaseColumns(update.job);
    for (let k = 0; k < COLUMNS.length; k++) arrays[k].push(COLUMNS[k][2](update, lease));
    arrays[COLUMNS.length].push(jobDataFields(update.job));
  }
  return arrays;
}

/** Indexes of `updates` in rounds: the k-th update of each job goes in round k. */
function rounds(updates: JobUpdate[]): number[][] {
  const result: number[][] = [];
  const seen = new Map<string, number>();
  updates.forEach(({ job }, i) => {
    const round = seen.get(job.id) ?? 0;
    seen.set(job.id, round + 1);
    (result[round] ??= []).push(i);
  });
  return result;
}
