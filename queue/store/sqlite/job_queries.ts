/**
 * Reading jobs straight from the file: one by id, a page of the list, and at open what the
 * store keeps in memory (the counts, the queued jobs).
 * @module
 */

import type { Job } from "../../job.ts";
import type { JobStatus } from "../../lifecycle.ts";
import type { ListQuery } from "../job_store.ts";
import type { StatusCounts } from "../status_counts.ts";
import { type JobRow, rowToJob } from "./rows.ts";
import type { StatementCache } from "./statement_cache.ts";

/** The job with `id`, if there is one. */
export function findJob(statements: StatementCache, id: string): Job | undefined {
  const row = statements.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
  return row === undefined ? undefined : rowToJob(row);
}

/** A filtered page of jobs, newest first. */
export function listJobs(
  statements: StatementCache,
  { status, type, limit, beforeSeq, idMatch }: ListQuery,
): Job[] {
  const where: string[] = [];
  const values: (string | number)[] = [];
  if (status !== undefined) where.push("status = ?"), values.push(status);
  if (type !== undefined) where.push("type = ?"), values.push(type);
  if (beforeSeq !== undefined) where.push("seq < ?"), values.push(beforeSeq);
  if (idMatch !== undefined) {
    where.push("(id LIKE ? || '%' OR id LIKE '%' || ?)"), values.push(idMatch, idMatch);
  }
  const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                 ORDER BY seq DESC LIMIT ?`;
  const rows = statements.prepare(sql).all(...values, limit) as unknown as JobRow[];
  return rows.map(rowToJob);
}

/** Adds the stored jobs to `counts`: by type and status, and the retried ones by status. */
export function countStoredJobs(statements: StatementCache, counts: StatusCounts): void {
  const rows = statements.prepare(
    "SELECT type, status, count(*) AS n FROM jobs GROUP BY type, status",
  ).all() as { type: string; status: JobStatus; n: number }[];
  for (const { type, status, n } of rows) counts.add(type, status, n);
  const retried = statements.prepare(
    `SELECT status, count(*) AS n FROM jobs WHERE status IN ('failed', 'cancelled')
       AND data ->> '$.retriedBy' IS NOT NULL GROUP BY status`,
  ).all() as { status: JobStatus; n: number }[];
  for (const { status, n } of retried) counts.addRetried(status, n);
}

/** The queued jobs, oldest first. */
export function queuedJobs(statements: StatementCache): Job[] {
  const rows = statements.prepare("SELECT * FROM jobs WHERE status = 'queued' ORDER BY seq")
    .all() as unknown as JobRow[];
  return rows.map(rowToJob);
}
