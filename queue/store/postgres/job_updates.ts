/**
 * Writing new snapshots of jobs (outcomes, cancels, requeues, rescues) under the status and
 * attempt they were seen in, one statement per round however many jobs it carries. Each column
 * travels as one JSON array, zipped back into rows by `ROWS FROM`: no key repeated per row, no
 * record parsed field by field (as `json_to_recordset` does, `data` again), and a plan that
 * does not depend on how many rows come (the planner expects 100 from each array, so it looks
 * every row up by `id`, whatever the batch size). A column with the same value in every row
 * goes once instead (see {@linkcode Sent}).
 * @module
 */

import type { Job } from "../../job.ts";
import type { JobUpdate } from "../job_store.ts";
import { jobDataFields, leaseColumns } from "../row_fields.ts";
import type { Queries } from "./connection.ts";

/** The type oid of `json`. */
const JSON_OID = 114;

/** A statement's parameter, as postgres.js takes it. */
type Parameter = NonNullable<Parameters<Queries["unsafe"]>[1]>[number];

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

/** The columns a removal sends: those its row is matched on, fence included. */
const MATCHING = COLUMNS.slice(0, COLUMNS.length - WRITTEN.length);

/** The columns every round sends one value per row: what rows are matched on. */
const MATCHED = new Set(["id", "from_status", "type"]);

/**
 * How a round sends one column: one value per row (`array`), or, when every row has the same,
 * that value once (`one`) or a plain `NULL` (`null`): a batch of outcomes has a dozen such
 * columns (the status, the cleared lease, no fence deadline), which then cost neither bytes nor
 * parsing per row.
 */
type Sent = "array" | "one" | "null";

/**
 * The write of a round whose columns are sent as `shape` says (in the order of COLUMNS, or of
 * MATCHING for a removal): `u` zips the arrays ($1 … in order, `data` last for an update),
 * numbered from 1 (`i`). An update writes the rows matched; a removal deletes them.
 */
function writeSql(kind: "update" | "remove", shape: readonly Sent[]): string {
  const functions: string[] = [];
  const zipped: string[] = [];
  const value = new Map<string, string>();
  let param = 0;
  (kind === "update" ? COLUMNS : MATCHING).forEach(([column, type], k) => {
    const cast = type === "text" ? "" : `::${type}`;
    if (shape[k] === "null") value.set(column, `NULL::${type}`);
    else if (shape[k] === "one") value.set(column, `$${++param}::text${cast}`);
    else {
      functions.push(`json_array_elements_text($${++param}::json)`);
      zipped.push(column);
      value.set(column, `u.${column}${cast}`);
    }
  });
  if (kind === "update") {
    functions.push(`json_array_elements($${++param}::json)`);
    zipped.push("data");
  }
  const v = (column: string) => value.get(column)!;
  const rows = `ROWS FROM (${functions.join(", ")}) WITH ORDINALITY AS u(${zipped.join(", ")}, i)`;
  const write = kind === "update"
    ? `UPDATE jobs j SET ${WRITTEN.map(([column]) => `${column} = ${v(column)}`).join(", ")},
         data = u.data
    FROM ${rows}`
    : `DELETE FROM jobs j USING ${rows}`;
  return `
  ${write}
   WHERE j.id = ${v("id")} AND j.status = ${v("from_status")} AND j.type = ${v("type")}
     AND (NOT ${v("fenced")} OR j.lease_token IS NOT DISTINCT FROM ${v("fence_token")})
     AND (${v("expired_before")} IS NULL OR j.lease_expires_at IS NULL
          OR j.lease_expires_at < ${v("expired_before")})
  RETURNING u.i, j.seq`;
}

/** The statement of each shape, made once. */
const STATEMENTS = new Map<string, string>();

/**
 * Writes each update whose row is still in `from` (and, with a fence, on that attempt; for a
 * rescue, with its lease still expired), or removes its row (`remove`): one statement per round
 * (two when it both writes and removes), a round holding each job once, so that two updates of
 * one job apply in order. Returns, at each update's index, the job as stored or removed (a job
 * out of `in-progress` holds no lease), or `undefined` where it was refused.
 */
export async function updateJobs(
  tx: Queries,
  updates: JobUpdate[],
): Promise<(Job | undefined)[]> {
  const applied = new Map<number, number>(); // index in `updates` → seq
  for (const round of rounds(updates)) {
    for (const kind of ["update", "remove"] as const) {
      const part = round.filter((i) => (updates[i].remove === true) === (kind === "remove"));
      if (part.length === 0) continue;
      const { shape, params } = roundParameters(tx, part.map((i) => updates[i]), kind);
      const key = `${kind}:${shape.join()}`;
      let statement = STATEMENTS.get(key);
      if (statement === undefined) STATEMENTS.set(key, statement = writeSql(kind, shape));
      const rows = await tx.unsafe<{ i: number; seq: number }[]>(statement, params, {
        prepare: true,
      });
      for (const { i, seq } of rows) applied.set(part[i - 1], seq);
    }
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

/**
 * The parameters of a round's writes (or removals) and how each column goes (see
 * {@linkcode Sent}): the matched columns and `data` always as one JSON array each, the others
 * once when the same in every row. A removal sends only what rows are matched on.
 */
function roundParameters(tx: Queries, updates: JobUpdate[], kind: "update" | "remove") {
  const leases = updates.map((update) => leaseColumns(update.job));
  const shape: Sent[] = [];
  const params: Parameter[] = [];
  for (const [column, , read] of kind === "update" ? COLUMNS : MATCHING) {
    // Compared first, so that a column sent once costs no array.
    const first = read(updates[0], leases[0]);
    let same = !MATCHED.has(column);
    for (let i = 1; same && i < updates.length; i++) same = read(updates[i], leases[i]) === first;
    if (same) {
      shape.push(first === null ? "null" : "one");
      if (first !== null) params.push(String(first));
    } else {
      shape.push("array");
      const values = updates.map((update, i) => read(update, leases[i]));
      // Typed as `json` up front: postgres.js would send an array of booleans as `bool`.
      params.push(tx.typed(values as never, JSON_OID));
    }
  }
  if (kind === "remove") return { shape, params };
  params.push(tx.typed(updates.map((update) => jobDataFields(update.job)) as never, JSON_OID));
  return { shape, params };
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
