/**
 * Inserting jobs in multi-row INSERT statements: fewer calls across the native boundary, and
 * a duplicate id reported by name.
 * @module
 */

import type { StatementSync } from "node:sqlite";
import type { Job } from "../../job.ts";
import type { JobStatus } from "../../lifecycle.ts";
import { assertRetryable } from "../retry_claim.ts";
import { findJob } from "./job_queries.ts";
import { INSERT_COLUMNS, pushInsertValues, type SqlValue } from "./rows.ts";
import type { StatementCache } from "./statement_cache.ts";

/** Rows per INSERT statement: fewer calls across the native boundary. */
const INSERT_CHUNK = 64;

/**
 * Inserts the rows of `jobs` (numbered already), in order. Throws `A job with id … already
 * exists` when an id is taken, by a row in the file or another of the jobs.
 */
export function insertJobRows(statements: StatementCache, inserted: Job[]): void {
  for (let start = 0, size = 0; start < inserted.length; start += size) {
    // Chunks of 64, 32, … 1 rows: a few prepared statements serve every batch size.
    size = 2 ** Math.floor(Math.log2(Math.min(INSERT_CHUNK, inserted.length - start)));
    const values: SqlValue[] = [];
    for (let i = start; i < start + size; i++) pushInsertValues(values, inserted[i]);
    try {
      insertStatement(statements, size).run(...values);
    } catch (error) {
      if (/UNIQUE constraint failed: jobs\.id/.test(String(error))) {
        const duplicate = inserted.find((job, i) =>
          inserted.findIndex((other) => other.id === job.id) !== i ||
          statements.prepare("SELECT 1 FROM jobs WHERE id = ?").get(job.id) !== undefined
        );
        throw new Error(`A job with id ${duplicate?.id} already exists`);
      }
      throw error;
    }
  }
}

/** The INSERT of `rows` rows at once. */
function insertStatement(statements: StatementCache, rows: number): StatementSync {
  const row = `(${INSERT_COLUMNS.map(() => "?").join(", ")})`;
  return statements.prepare(
    `INSERT INTO jobs (${INSERT_COLUMNS.join(", ")}) VALUES ${Array(rows).fill(row).join(", ")}`,
  );
}

/**
 * Records each manual retry among `jobs` on its original (`retriedBy`), which must be failed
 * or cancelled and not retried yet; throws why not, for the caller's transaction to undo.
 * Returns the statuses of the originals it marked.
 */
export function recordRetries(statements: StatementCache, jobs: Job[]): JobStatus[] {
  const marked: JobStatus[] = [];
  for (const job of jobs) {
    if (job.retryOf === undefined) continue;
    const row = statements.prepare(
      `UPDATE jobs SET data = json_set(data, '$.retriedBy', ?)
         WHERE id = ? AND status IN ('failed', 'cancelled') AND data ->> '$.retriedBy' IS NULL
         RETURNING status`,
    ).get(job.id, job.retryOf) as { status: JobStatus } | undefined;
    if (row === undefined) {
      assertRetryable(job.retryOf, findJob(statements, job.retryOf), job.id);
      throw new Error(`Job ${job.retryOf} could not record its retry ${job.id}`);
    }
    marked.push(row.status);
  }
  return marked;
}
