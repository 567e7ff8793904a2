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

/**
 * Extends the leases of the given attempts (id and lease token), still running and held by
 * `owner`; returns the ids renewed.
 */
export function renewLeaseRows(
  statements: StatementCache,
  { owner, until, leases }: RenewParams,
): string[] {
  const rows = statements.prepare(
    `UPDATE jobs SET lease_expires_at = ?
       WHERE (id, lease_token) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))
         AND status = 'in-progress' AND lease_owner = ?
       RETURNING id`,
  ).all(until, JSON.stringify(leases.map((lease) => [lease.id, lease.leaseToken])), owner) as {
    id: string;
  }[];
  return rows.map((row) => row.id);
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
