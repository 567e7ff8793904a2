/**
 * Leases of running jobs in the file: renewing those a process holds, and finding those that
 * ran out (their process died while running them).
 * @module
 */

import type { Job } from "../../job.ts";
import type { RenewParams } from "../job_store.ts";
import { type JobRow, rowToJob } from "./rows.ts";
import type { StatementCache } from "./statement_cache.ts";

const NEVER = Number.MAX_SAFE_INTEGER;

/** Extends the leases of the given in-progress jobs held by `owner`; returns how many. */
export function renewLeaseRows(
  statements: StatementCache,
  { owner, until, ids }: RenewParams,
): number {
  return Number(
    statements.prepare(
      `UPDATE jobs SET lease_expires_at = ? WHERE id IN (SELECT value FROM json_each(?))
             AND status = 'in-progress' AND lease_owner = ?`,
    ).run(until, JSON.stringify(ids), owner).changes,
  );
}

/**
 * In-progress jobs whose lease ran out before `now` (every in-progress job when `now` is
 * infinite), oldest first.
 */
export function findExpiredLeases(
  statements: StatementCache,
  { now, limit }: { now: number; limit: number },
): Job[] {
  const rows = statements.prepare(
    `SELECT * FROM jobs WHERE status = 'in-progress'
         AND (lease_expires_at IS NULL OR lease_expires_at < ?)
       ORDER BY seq LIMIT ?`,
  ).all(Number.isFinite(now) ? now : NEVER, limit) as unknown as JobRow[];
  return rows.map(rowToJob);
}
