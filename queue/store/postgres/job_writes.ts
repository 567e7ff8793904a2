/**
 * The writes that move jobs, each one statement however many jobs it carries: inserts (rows
 * as one JSON parameter), claims (`FOR UPDATE SKIP LOCKED` in a subquery, oldest first along
 * the partial index of queued jobs) and promotions of due scheduled jobs; updates are in
 * `job_updates.ts`. Jobs that
 * became ready are announced with `pg_notify` in the same statement or transaction, so a
 * listener wakes only once they can be claimed.
 * @module
 */

import type { Job } from "../../job.ts";
import { assertRetryable } from "../retry_claim.ts";
import type { ClaimParams, PromoteResult } from "../job_store.ts";
import type { Queries, Tx } from "./connection.ts";
import { jobRecord, type JobRow, RECORD_COLUMNS, rowToJob } from "./rows.ts";

/** The columns an insert writes, as in {@linkcode RECORD_COLUMNS}. */
const WRITTEN = [
  "status",
  "type",
  "run_at",
  "updated_at",
  "finished_at",
  "retried_by",
  "lease_owner",
  "lease_expires_at",
  "lease_token",
  "attempt_started_at",
  "attempt_worker",
  "data",
];

/** What a claim returns of a row: the columns it did not set. */
type ClaimedRow = Pick<
  JobRow,
  "seq" | "id" | "type" | "run_at" | "finished_at" | "retried_by" | "data"
>;

/** The NOTIFY payload's limit is 8,000 bytes: past this, listeners hear "some types". */
const MAX_PAYLOAD = 7_000;

/** Announces on `channel` that jobs of `types` became ready, within the caller's transaction. */
export async function notifyReady(tx: Queries, channel: string, types: Iterable<string>) {
  const distinct = [...new Set(types)];
  if (distinct.length === 0) return;
  const payload = JSON.stringify(distinct);
  await tx`SELECT pg_notify(${channel}, ${payload.length > MAX_PAYLOAD ? "[]" : payload})`;
}

/**
 * Inserts `jobs` in one statement and returns them numbered, in order; with `channel`, the same
 * statement announces their ready types there (so it needs no transaction of its own). Throws
 * `A job with id … already exists` when an id is taken, by a stored job or another of the jobs.
 */
export async function insertJobs(tx: Queries, jobs: Job[], channel?: string): Promise<Job[]> {
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.id)) throw new Error(`A job with id ${job.id} already exists`);
    seen.add(job.id);
  }
  const announce = channel === undefined ? tx`` : tx`, (
      SELECT pg_notify(${channel}, CASE WHEN length(types) > ${MAX_PAYLOAD} THEN '[]' ELSE types END)
        FROM (SELECT json_agg(DISTINCT type)::text AS types FROM inserted
               WHERE status = 'queued') AS ready
       WHERE types IS NOT NULL)::text AS announced`;
  let rows: { id: string; seq: number }[];
  try {
    rows = await tx<{ id: string; seq: number }[]>`
      WITH inserted AS (
        INSERT INTO jobs (id, ${tx.unsafe(WRITTEN.join(", "))})
        SELECT r.id, ${tx.unsafe(WRITTEN.map((column) => `r.${column}`).join(", "))}
          FROM ROWS FROM (json_to_recordset(${jobs.map(jobRecord) as never}::json)
                 AS (${tx.unsafe(RECORD_COLUMNS)})) WITH ORDINALITY AS r
         ORDER BY r.ordinality
        RETURNING id, seq, type, status)
      SELECT id, seq ${announce} FROM inserted`;
  } catch (error) {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code === "23505" && /\(id\)/.test(detail ?? "")) {
      const id = /\(id\)=\((.*)\)/.exec(detail ?? "")?.[1];
      throw new Error(`A job with id ${id} already exists`);
    }
    throw error;
  }
  const seqs = new Map(rows.map((row) => [row.id, row.seq]));
  return jobs.map((job) => ({ ...job, seq: seqs.get(job.id)! }));
}

/**
 * Records each manual retry among `jobs` on its original (`retriedBy`), which must be failed or
 * cancelled and not retried yet; throws why not, for the caller's transaction to undo. Returns
 * the jobs with the originals among them marked too.
 */
export async function recordRetries(tx: Tx, jobs: Job[]): Promise<Job[]> {
  const marked = new Map<string, string>();
  for (const job of jobs) {
    if (job.retryOf === undefined) continue;
    const rows = await tx`
      UPDATE jobs SET retried_by = ${job.id}
       WHERE id = ${job.retryOf} AND status IN ('failed', 'cancelled') AND retried_by IS NULL
      RETURNING id`;
    if (rows.length === 0) {
      const [row] = await tx<JobRow[]>`SELECT * FROM jobs WHERE id = ${job.retryOf}`;
      assertRetryable(job.retryOf, row && rowToJob(row), job.id);
      throw new Error(`Job ${job.retryOf} could not record its retry ${job.id}`);
    }
    marked.set(job.retryOf, job.id);
  }
  return jobs.map((job) => marked.has(job.id) ? { ...job, retriedBy: marked.get(job.id)! } : job);
}

/**
 * Claims up to `limit` queued jobs (of `types`, when given), oldest first, skipping rows other
 * transactions hold: each gets a new attempt under one new lease token. Returns them by `seq`.
 */
export async function claimJobs(
  sql: Queries,
  { limit, workerId, now, leaseOwner, leaseUntil, types }: ClaimParams,
): Promise<Job[]> {
  if (types !== undefined && types.length === 0) return [];
  const leaseToken = crypto.randomUUID();
  const ofTypes = types === undefined ? sql`` : sql`AND type = ANY(${types as string[]})`;
  // The locked rows are updated by their `ctid` (a TID scan): joined on `seq` instead, the
  // planner hashes the whole table once a claim takes a few hundred.
  // Only the columns the claim does not set come back: the rest are known here.
  const rows = await sql<ClaimedRow[]>`
    UPDATE jobs SET status = 'in-progress', updated_at = ${now}, lease_owner = ${leaseOwner},
           lease_expires_at = ${leaseUntil}, lease_token = ${leaseToken},
           attempt_started_at = ${now}, attempt_worker = ${workerId}
     WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM jobs WHERE status = 'queued' ${ofTypes}
              ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED))
       AND status = 'queued'
    RETURNING seq, id, type, run_at, finished_at, retried_by, data`;
  const jobs = rows.map((row) =>
    rowToJob({
      ...row,
      status: "in-progress",
      updated_at: now,
      lease_owner: leaseOwner,
      lease_expires_at: leaseUntil,
      lease_token: leaseToken,
      attempt_started_at: now,
      attempt_worker: workerId,
    })
  );
  return jobs.sort((a, b) => a.seq - b.seq);
}

/** Queues up to `limit` scheduled jobs due at `now`, by `runAt`; says when the next is due. */
export async function promoteJobs(tx: Tx, now: number, limit: number): Promise<PromoteResult> {
  const rows = await tx<JobRow[]>`
    UPDATE jobs SET status = 'queued', updated_at = ${now}
     WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM jobs WHERE status = 'scheduled' AND run_at <= ${now}
              ORDER BY run_at, seq LIMIT ${limit} FOR UPDATE SKIP LOCKED))
       AND status = 'scheduled'
    RETURNING *`;
  const promoted = rows.map(rowToJob).sort((a, b) => a.runAt - b.runAt || a.seq - b.seq);
  const [next] = await tx<{ at: number | null }[]>`
    SELECT min(run_at) AS at FROM jobs WHERE status = 'scheduled'`;
  return { promoted, nextRunAt: next.at ?? undefined };
}
