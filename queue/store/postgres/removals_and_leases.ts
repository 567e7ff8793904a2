/**
 * Removing jobs (those asked for, and finished ones past retention) and renewing the leases of
 * running attempts, each one statement.
 * @module
 */

import { isUnfinished, type JobStatus } from "../../lifecycle.ts";
import type {
  DeleteParams,
  DeleteResult,
  FinalStatus,
  PruneParams,
  RenewParams,
} from "../job_store.ts";
import type { Queries, Tx } from "./connection.ts";
import { statusIs } from "./rows.ts";

const FINAL: FinalStatus[] = ["completed", "failed", "cancelled"];

/** Deletes the given jobs, or every job with `status`, or every job. */
export async function deleteJobs(
  sql: Queries,
  { ids, status }: DeleteParams,
): Promise<DeleteResult> {
  const where = [sql`TRUE`];
  if (ids !== undefined) where.push(sql`id = ANY(${ids})`);
  if (status !== undefined) where.push(sql`${statusIs(sql, status)}`);
  const condition = where.reduce((all, part) => sql`${all} AND ${part}`);
  const rows = await sql<{ status: JobStatus }[]>`
    DELETE FROM jobs WHERE ${condition} RETURNING status`;
  const unfinished = rows.filter((row) => isUnfinished(row.status)).length;
  return { removed: rows.length, unfinished };
}

/**
 * Prunes finished jobs in one transaction: per final status, those finished before its cut-off,
 * then the oldest beyond the number kept, at most `limit` rows a call. Returns how many.
 */
export async function pruneJobs(
  tx: Tx,
  { finishedBefore, keep, limit }: PruneParams,
): Promise<number> {
  let removed = 0;
  for (const status of FINAL) {
    const before = finishedBefore[status];
    const aged = await tx`
      DELETE FROM jobs WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM jobs WHERE ${statusIs(tx, status)} AND finished_at < ${before}
         ORDER BY seq LIMIT ${limit - removed} FOR UPDATE SKIP LOCKED))`;
    removed += aged.count;
    const [{ n }] = await tx<{ n: number }[]>`
      SELECT count(*)::int8 AS n FROM jobs WHERE ${statusIs(tx, status)}`;
    const excess = Math.min(limit - removed, n - keep);
    if (excess > 0) {
      const extra = await tx`
        DELETE FROM jobs WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM jobs WHERE ${statusIs(tx, status)}
           ORDER BY seq LIMIT ${excess} FOR UPDATE SKIP LOCKED))`;
      removed += extra.count;
    }
    if (removed >= limit) break;
  }
  return removed;
}

/**
 * Extends the leases of the given attempts (id and lease token), still running and held by
 * `owner`; returns the ids renewed.
 */
export async function renewLeases(
  sql: Queries,
  { owner, until, leases }: RenewParams,
): Promise<string[]> {
  if (leases.length === 0) return [];
  const rows = await sql<{ id: string }[]>`
    UPDATE jobs j SET lease_expires_at = ${until}
      FROM unnest(${leases.map((lease) => lease.id)}::text[],
                  ${leases.map((lease) => lease.leaseToken)}::text[]) AS l(id, token)
     WHERE j.id = l.id AND j.lease_token = l.token
       AND j.status = 'in-progress' AND j.lease_owner = ${owner}
    RETURNING j.id`;
  return rows.map((row) => row.id);
}
