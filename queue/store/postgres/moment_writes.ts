/**
 * The claims and updates made in one moment (the pool claims for every worker with room in the
 * same turn as it records the outcomes that made the room) written together: one transaction,
 * its statements pipelined on one connection, one commit, so that a moment costs one flush of
 * the WAL however many workers took part. Updates go first, then the claims in the order they
 * were made: each statement sees those before it, so no two claims take the same job.
 * @module
 */

import type { Job } from "../../job.ts";
import type { ClaimParams, JobUpdate } from "../job_store.ts";
import { isUnavailable, type Queries, type Sql } from "./connection.ts";
import { claimJobs, notifyReady, updateJobs } from "./job_writes.ts";
import type { Outcome } from "./write_lane.ts";

/** A write of one moment. */
export type MomentWrite =
  | { kind: "claim"; params: ClaimParams }
  | { kind: "update"; updates: JobUpdate[] };

/** What a write of a moment gives back: the jobs claimed, or the jobs as updated. */
export type MomentResult = Job[];

/**
 * Writes `writes` in one transaction and says how each ended, in order. A write that fails for
 * a reason of its own spoils the transaction: each is then written on its own, as if it had
 * been alone. A database out of reach fails them all.
 */
export async function writeMoment(
  sql: Sql,
  channel: string,
  writes: MomentWrite[],
): Promise<Outcome<MomentResult>[]> {
  if (writes.length === 1) return [await alone(sql, channel, writes[0])];
  const ordered = [
    ...writes.filter((write) => write.kind === "update"),
    ...writes.filter((write) => write.kind === "claim"),
  ];
  try {
    const results = await sql.begin((tx) =>
      Promise.all(ordered.map((write) => apply(tx, channel, write)))
    ) as MomentResult[];
    const byWrite = new Map(ordered.map((write, i) => [write, results[i]]));
    return writes.map((write) => ({ ok: true, output: byWrite.get(write)! }));
  } catch (error) {
    if (isUnavailable(error)) throw error;
  }
  const outcomes: Outcome<MomentResult>[] = [];
  for (const write of writes) outcomes.push(await alone(sql, channel, write));
  return outcomes;
}

/** One write in a transaction of its own (a single statement needs none). */
async function alone(sql: Sql, channel: string, write: MomentWrite) {
  try {
    const output = write.kind === "claim" || !needsTransaction(write.updates)
      ? await apply(sql, channel, write)
      : await sql.begin((tx) => apply(tx, channel, write)) as MomentResult;
    return { ok: true as const, output };
  } catch (error) {
    if (isUnavailable(error)) throw error;
    return { ok: false as const, error };
  }
}

/**
 * Whether `updates` take more than one statement (a job updated twice) or announce jobs ready
 * (a job put back in the queue): then they need a transaction of their own.
 */
function needsTransaction(updates: JobUpdate[]): boolean {
  const ids = new Set(updates.map((update) => update.job.id));
  return ids.size !== updates.length || updates.some((update) => update.job.status === "queued");
}

async function apply(sql: Queries, channel: string, write: MomentWrite): Promise<MomentResult> {
  if (write.kind === "claim") return await claimJobs(sql, write.params);
  const applied = await updateJobs(sql, write.updates);
  const jobs = applied.map(({ job }) => job);
  await notifyReady(sql, channel, jobs.filter((job) => job.status === "queued").map((j) => j.type));
  return jobs;
}
