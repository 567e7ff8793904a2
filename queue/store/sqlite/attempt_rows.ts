/**
 * Writing the rows of attempts: starting them (a claim), moving jobs on under the status and
 * attempt they were seen in (an update), and queueing due scheduled jobs (a promotion).
 * @module
 */

import type { Job } from "../../job.ts";
import type { ClaimParams, JobUpdate, PromoteResult } from "../job_store.ts";
import { type JobRow, rowToJob, updateValues } from "./rows.ts";
import type { StatementCache } from "./statement_cache.ts";

/**
 * Starts an attempt of each `picked` job (queued rows), under one new lease token, and moves
 * the job objects on in place: the caller owns them (they came out of the ready list).
 */
export function startAttempts(
  statements: StatementCache,
  picked: Job[],
  { workerId, now, leaseOwner, leaseUntil }: Omit<ClaimParams, "limit">,
): void {
  const leaseToken = crypto.randomUUID();
  const set = `UPDATE jobs SET status = 'in-progress', lease_owner = ?, lease_expires_at = ?,
       lease_token = ?, attempt_started_at = ?, attempt_worker = ?`;
  const lease = [leaseOwner, leaseUntil, leaseToken, now, workerId];
  // One job (every claim at concurrency 1) by its key: cheaper than going through json_each.
  if (picked.length === 1) {
    statements.prepare(`${set} WHERE seq = ? AND status = 'queued'`).run(...lease, picked[0].seq);
  } else {
    statements.prepare(`${set} WHERE seq IN (SELECT value FROM json_each(?)) AND status = 'queued'`)
      .run(...lease, JSON.stringify(picked.map((job) => job.seq)));
  }
  for (const job of picked) {
    job.status = "in-progress";
    job.updatedAt = now;
    job.leaseOwner = leaseOwner;
    job.leaseExpiresAt = leaseUntil;
    job.leaseToken = leaseToken;
    job.attempts = [...job.attempts, { number: job.attempts.length + 1, startedAt: now, workerId }];
  }
}

/**
 * Writes each update whose row is still in `from` (and, with a fence, on that attempt; for a
 * rescue, with its lease still expired); one with `remove` deletes its row instead. Returns the
 * applied updates with the jobs as stored (or as removed): a job out of `in-progress` holds no
 * lease.
 */
export function updateRows(statements: StatementCache, updates: JobUpdate[]): JobUpdate[] {
  const set = `UPDATE jobs SET status = ?, run_at = ?, finished_at = ?, lease_owner = ?,
       lease_expires_at = ?, lease_token = ?, attempt_started_at = ?, attempt_worker = ?,
       data = ?`;
  const fenced = `AND (? = 0 OR lease_token IS ?)
       AND (? IS NULL OR lease_expires_at IS NULL OR lease_expires_at < ?)`;
  // By seq, the table's own key, when the caller's job came from this store (it always does in
  // the queue); by id otherwise.
  const bySeq = statements.prepare(
    `${set} WHERE seq = ? AND id = ? AND status = ? AND type = ? ${fenced}`,
  );
  const byId = statements.prepare(
    `${set} WHERE id = ? AND status = ? AND type = ? ${fenced} RETURNING seq`,
  );
  // A job that is not kept (`remove`) goes under the same conditions.
  const removeBySeq = statements.prepare(
    `DELETE FROM jobs WHERE seq = ? AND id = ? AND status = ? AND type = ? ${fenced}`,
  );
  const removeById = statements.prepare(
    `DELETE FROM jobs WHERE id = ? AND status = ? AND type = ? ${fenced} RETURNING seq`,
  );
  const applied: JobUpdate[] = [];
  for (const { from, job, fence, remove } of updates) {
    const values = remove === true ? [] : updateValues(job);
    const [first, then] = remove === true ? [removeBySeq, removeById] : [bySeq, byId];
    const expired = fence?.expiredBefore ?? null;
    const guard = [fence ? 1 : 0, fence?.leaseToken ?? null, expired, expired];
    let seq: number | undefined = job.seq;
    const where = [job.id, from, job.type, ...guard];
    if (Number(first.run(...values, job.seq, ...where).changes) === 0) {
      seq = (then.get(...values, ...where) as { seq: number } | undefined)?.seq;
    }
    if (seq === undefined) continue;
    const next = { ...job, seq };
    if (next.status !== "in-progress") {
      delete next.leaseOwner;
      delete next.leaseExpiresAt;
      delete next.leaseToken;
    }
    applied.push(remove === true ? { from, job: next, remove } : { from, job: next });
  }
  return applied;
}

/** Queues up to `limit` scheduled jobs due at `now`, by `runAt`; says when the next is due. */
export function promoteRows(statements: StatementCache, now: number, limit: number): PromoteResult {
  const rows = statements.prepare(
    `UPDATE jobs SET status = 'queued', data = json_set(data, '$.updatedAt', ?)
     WHERE seq IN (SELECT seq FROM jobs WHERE status = 'scheduled' AND run_at <= ?
                   ORDER BY run_at, seq LIMIT ?)
     RETURNING *`,
  ).all(now, now, limit) as unknown as JobRow[];
  const promoted = rows.map(rowToJob).sort((a, b) => a.runAt - b.runAt || a.seq - b.seq);
  const next = statements.prepare(
    "SELECT min(run_at) AS at FROM jobs WHERE status = 'scheduled'",
  ).get() as { at: number | null };
  return { promoted, nextRunAt: next.at ?? undefined };
}
