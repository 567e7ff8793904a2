/**
 * The writes that move jobs, each one statement however many jobs it carries: inserts (their
 * columns and their `data` as two JSON parameters), claims (`FOR UPDATE SKIP LOCKED` in a
 * subquery, oldest first along the partial index of queued jobs) and promotions of due
 * scheduled jobs; updates are in `job_updates.ts`. Jobs that became ready are announced with
 * `pg_notify` in the same statement or transaction, so a listener wakes only once they can be
 * claimed.
 * @module
 */

import type { Job } from "../../job.ts";
import { assertRetryable } from "../retry_claim.ts";
import type { ClaimParams, PromoteResult } from "../job_store.ts";
import type { Queries, Tx } from "./connection.ts";
import { jobDataFields } from "../row_fields.ts";
import { INSERT_VALUES, insertValues, type JobRow, rowToJob } from "./rows.ts";

/** The columns an insert writes, as in {@linkcode INSERT_VALUES} and then `data`. */
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

/** The types of `jobs` that are queued: what a write announces. */
export function readyTypes(jobs: Job[]): string[] {
  return jobs.filter((job) => job.status === "queued").map((job) => job.type);
}

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
  if (jobs.length === 0) return [];
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.id)) throw new Error(`A job with id ${job.id} already exists`);
    seen.add(job.id);
  }
  // Read as `jsonb` (parsed once, read by position) and `json` (each `data` kept as written).
  const values = JSON.stringify(jobs.map(insertValues));
  const data = JSON.stringify(jobs.map(jobDataFields));
  const payload = channel === undefined ? undefined : readyPayload(jobs);
  // Sent at the commit, once: an uncorrelated subquery runs once whatever the rows.
  const announce = channel === undefined || payload === undefined
    ? tx``
    : tx`, (SELECT pg_notify(${channel}, ${payload}))::text AS announced`;
  let rows: { seq: number }[];
  try {
    rows = await tx<{ seq: number }[]>`
      INSERT INTO jobs (id, ${tx.unsafe(WRITTEN.join(", "))})
      SELECT ${tx.unsafe(INSERT_VALUES)}, d
        FROM ROWS FROM (jsonb_array_elements(${values}::text::jsonb),
                        json_array_elements(${data}::text::json)) WITH ORDINALITY AS r(c, d, n)
       ORDER BY r.n
      RETURNING seq ${announce}`;
  } catch (error) {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code === "23505" && /\(id\)/.test(detail ?? "")) {
      const id = /\(id\)=\((.*)\)/.exec(detail ?? "")?.[1];
      throw new Error(`A job with id ${id} already exists`);
    }
    throw error;
  }
  // Numbered as inserted, in the order of the arrays.
  const seqs = rows.map((row) => row.seq).sort((a, b) => a - b);
  return jobs.map((job, i) => ({ ...job, seq: seqs[i] }));
}

/** What a notification of `jobs` says: their ready types; none when none is ready. */
function readyPayload(jobs: Job[]): string | undefined {
  const types = new Set<string>();
  for (const job of jobs) if (job.status === "queued") types.add(job.type);
  if (types.size === 0) return undefined;
  const payload = JSON.stringify([...types]);
  return payload.length > MAX_PAYLOAD ? "[]" : payload;
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
 * Its transaction commits without waiting for the WAL flush (`synchronous_commit` off for that
 * transaction): a claim acknowledges nothing, and the outcome written after it is flushed with
 * it; a crash in between only queues the job again.
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
       AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'
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
