/**
 * The writes that move jobs, each one statement however many jobs it carries: inserts (their
 * columns and their `data` as two JSON parameters), claims (`FOR UPDATE SKIP LOCKED` in a
 * subquery, oldest first along the partial index of queued jobs), updates under the status and
 * attempt they were seen in (one `UPDATE … FROM json_to_recordset`), and promotions of due
 * scheduled jobs. Jobs that became ready are announced with `pg_notify` in the same statement or
 * transaction, so a listener wakes only once they can be claimed.
 * @module
 */

import type { Job } from "../../job.ts";
import { assertRetryable } from "../retry_claim.ts";
import type { ClaimParams, JobUpdate, PromoteResult } from "../job_store.ts";
import type { Queries, Tx } from "./connection.ts";
import { jobDataFields } from "../row_fields.ts";
import {
  INSERT_VALUES,
  insertValues,
  jobRecord,
  type JobRow,
  RECORD_COLUMNS,
  rowToJob,
} from "./rows.ts";

/** The columns an insert or an update writes, as in {@linkcode RECORD_COLUMNS}. */
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
  const rows = await sql<JobRow[]>`
    UPDATE jobs SET status = 'in-progress', updated_at = ${now}, lease_owner = ${leaseOwner},
           lease_expires_at = ${leaseUntil}, lease_token = ${leaseToken},
           attempt_started_at = ${now}, attempt_worker = ${workerId}
     WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM jobs WHERE status = 'queued' ${ofTypes}
              ORDER BY seq LIMIT ${limit} FOR UPDATE SKIP LOCKED))
       AND status = 'queued'
    RETURNING *`;
  return rows.map(rowToJob).sort((a, b) => a.seq - b.seq);
}

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
    const records = round.map((i) => {
      const { from, job, fence } = updates[i];
      return {
        ...jobRecord(job),
        i,
        from_status: from,
        fenced: fence !== undefined,
        fence_token: fence?.leaseToken ?? null,
        expired_before: fence?.expiredBefore ?? null,
      };
    });
    const rows = await tx<{ i: number; seq: number }[]>`
      UPDATE jobs j SET ${tx.unsafe(WRITTEN.map((column) => `${column} = u.${column}`).join(", "))}
        FROM json_to_recordset(${records as never}::json) AS u(${tx.unsafe(RECORD_COLUMNS)},
             i integer, from_status text, fenced boolean, fence_token text, expired_before bigint)
       WHERE j.id = u.id AND j.status = u.from_status AND j.type = u.type
         AND (NOT u.fenced OR j.lease_token IS NOT DISTINCT FROM u.fence_token)
         AND (u.expired_before IS NULL OR j.lease_expires_at IS NULL
              OR j.lease_expires_at < u.expired_before)
      RETURNING u.i, j.seq`;
    for (const { i, seq } of rows) applied.set(i, seq);
  }
  return updates.map(({ job }, i) => {
    const seq = applied.get(i);
    if (seq === undefined) return undefined;
    const next = { ...job, seq };
    if (next.status !== "in-progress") {
      delete next.leaseOwner;
      delete next.leaseExpiresAt;
      delete next.leaseToken;
    }
    return next;
  });
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
