/**
 * Reading jobs from the database: one by id, a page of the list, the counts (derived from the
 * rows at each call, so every process sharing the database sees the same), and the running
 * jobs whose lease ran out.
 * @module
 */

import type { Job } from "../../job.ts";
import { JOB_STATUSES, type JobStatus } from "../../lifecycle.ts";
import type { JobCounts, ListQuery, RetriableStatus } from "../job_store.ts";
import { emptyStatusCounts } from "../status_counts.ts";
import type { Queries } from "./connection.ts";
import { type JobRow, rowToJob, statusIs } from "./rows.ts";

/** The job with `id`, if there is one. */
export async function findJob(sql: Queries, id: string): Promise<Job | undefined> {
  const [row] = await sql<JobRow[]>`SELECT * FROM jobs WHERE id = ${id}`;
  return row === undefined ? undefined : rowToJob(row);
}

/**
 * A filtered page of jobs, newest first: read from the index of its status, or for all
 * statuses, from each one's (at most a page from each), merged. There is no index of all rows.
 */
export async function listJobs(
  sql: Queries,
  { status, type, limit, beforeSeq, idMatch }: ListQuery,
): Promise<Job[]> {
  const where = [sql`TRUE`];
  if (type !== undefined) where.push(sql`type = ${type}`);
  if (beforeSeq !== undefined) where.push(sql`seq < ${beforeSeq}`);
  if (idMatch !== undefined) {
    // The caller checked its form (hex digits and dashes): nothing in it is a LIKE wildcard.
    where.push(sql`(id LIKE ${idMatch} || '%' OR id LIKE '%' || ${idMatch})`);
  }
  const condition = where.reduce((all, part) => sql`${all} AND ${part}`);
  const page = (of: JobStatus) =>
    sql`SELECT * FROM jobs WHERE ${statusIs(sql, of)} AND ${condition}
         ORDER BY seq DESC LIMIT ${limit}`;
  const rows = status !== undefined ? await sql<JobRow[]>`${page(status)}` : await sql<JobRow[]>`
    SELECT * FROM (${
    JOB_STATUSES.map((of) => sql`(${page(of)})`).reduce((all, next) =>
      sql`${all} UNION ALL ${next}`
    )
  }) AS pages ORDER BY seq DESC LIMIT ${limit}`;
  return rows.map(rowToJob);
}

/**
 * Counts of jobs by status and by type, and of retried ones, from the rows themselves. Types in
 * `known` that have no rows any more are counted as zeros, as the other stores do.
 */
export async function countJobs(sql: Queries, known: Iterable<string>): Promise<JobCounts> {
  const rows = await sql<{ type: string; status: JobStatus; n: number; retried: number }[]>`
    SELECT type, status, count(*)::int8 AS n, count(retried_by)::int8 AS retried
      FROM jobs GROUP BY type, status`;
  const counts: JobCounts = {
    byStatus: emptyStatusCounts(),
    byType: {},
    retried: { failed: 0, cancelled: 0 },
  };
  for (const type of known) counts.byType[type] = emptyStatusCounts();
  for (const { type, status, n, retried } of rows) {
    if (!JOB_STATUSES.includes(status)) continue;
    counts.byStatus[status] += n;
    (counts.byType[type] ??= emptyStatusCounts())[status] += n;
    if (status === "failed" || status === "cancelled") {
      counts.retried[status as RetriableStatus] += retried;
    }
  }
  return counts;
}

/**
 * In-progress jobs whose lease ran out before `now` (every in-progress job when `now` is
 * infinite), oldest first.
 */
export async function findExpiredLeases(
  sql: Queries,
  { now, limit }: { now: number; limit: number },
): Promise<Job[]> {
  const rows = Number.isFinite(now)
    ? await sql<JobRow[]>`
        SELECT * FROM jobs WHERE status = 'in-progress'
           AND (lease_expires_at IS NULL OR lease_expires_at < ${now})
         ORDER BY seq LIMIT ${limit}`
    : await sql<JobRow[]>`
        SELECT * FROM jobs WHERE status = 'in-progress' ORDER BY seq LIMIT ${limit}`;
  return rows.map(rowToJob);
}
