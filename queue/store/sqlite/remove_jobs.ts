/**
 * Removing jobs from the file: those asked for (by id, by status, or all), and finished jobs
 * past retention.
 * @module
 */

import type { JobStatus } from "../../lifecycle.ts";
import type { DeleteParams, FinalStatus, PruneParams } from "../job_store.ts";
import type { StatusCounts } from "../status_counts.ts";
import type { OnCommit } from "./group_commit.ts";
import type { StatementCache } from "./statement_cache.ts";

const FINAL: FinalStatus[] = ["completed", "failed", "cancelled"];
/** Whether a removed row's manual retry was recorded on it, as a 0/1 column. */
const RETRIED = "data ->> '$.retriedBy' IS NOT NULL AS retried";

interface PrunedRow {
  type: string;
  retried: number;
}

/** A removed row: enough to drop it from the ready list and the counts. */
export interface RemovedRow {
  seq: number;
  type: string;
  status: JobStatus;
  /** 1 when the job's manual retry was recorded on it. */
  retried: number;
}

/** Deletes the given jobs, or every job with `status`, or every job; returns their rows. */
export function deleteRows(
  statements: StatementCache,
  { ids, status }: DeleteParams,
): RemovedRow[] {
  const where: string[] = [];
  const values: string[] = [];
  if (ids !== undefined) {
    where.push("id IN (SELECT value FROM json_each(?))");
    values.push(JSON.stringify(ids));
  }
  if (status !== undefined) where.push("status = ?"), values.push(status);
  return statements.prepare(
    `DELETE FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         RETURNING seq, type, status, ${RETRIED}`,
  ).all(...values) as unknown as RemovedRow[];
}

/**
 * Prunes finished jobs, inside the caller's transaction: those finished before their status's
 * cut-off, then the oldest past the number kept, at most `limit` rows a call. `counts` drops
 * them once the transaction commits. Returns how many rows were deleted.
 */
export function pruneFinished(
  statements: StatementCache,
  counts: StatusCounts,
  { finishedBefore, keep, limit }: PruneParams,
  onCommit: OnCommit,
): number {
  let removed = 0;
  // Counted in the transaction: writes earlier in the same commit are not in `counts` yet.
  const countOf = statements.prepare("SELECT count(*) AS n FROM jobs WHERE status = ?");
  const byAge = statements.prepare(
    `DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE status = ?
           AND finished_at < ? ORDER BY seq LIMIT ?) RETURNING type, ${RETRIED}`,
  );
  const oldest = statements.prepare(
    `DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE status = ?
           ORDER BY seq LIMIT ?) RETURNING type, ${RETRIED}`,
  );
  for (const status of FINAL) {
    const aged = byAge.all(
      status,
      finishedBefore[status],
      limit - removed,
    ) as unknown as PrunedRow[];
    const stored = (countOf.get(status) as { n: number }).n;
    const excess = Math.min(limit - removed - aged.length, stored - keep);
    const extra = excess > 0 ? oldest.all(status, excess) as unknown as PrunedRow[] : [];
    removed += aged.length + extra.length;
    onCommit(() => {
      for (const { type, retried } of [...aged, ...extra]) {
        counts.add(type, status, -1);
        if (retried) counts.addRetried(status, -1);
      }
    });
    if (removed >= limit) break;
  }
  return removed;
}
