/**
 * Reading jobs straight from the file: one by id, and a page of the list.
 * @module
 */

import type { Job } from "../../job.ts";
import type { ListQuery } from "../job_store.ts";
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
