/**
 * Enqueues on PostgreSQL as group commits: the inserts of callers that arrive while others are
 * being written share one statement (its notification with it), or, with a manual retry among
 * them, one transaction. Unlike outcomes, inserts need no order among callers (one that awaited
 * its last insert is numbered after it anyway), so two batches may be written at once, each on a
 * connection of its own: the next one need not wait for the last one's commit, nor for a
 * statement held by a lock. A caller's own jobs are always one statement, numbered in their
 * order. (Measured on one machine with a local server, a third batch at once brought nothing
 * more; the second changed no throughput either, as the benchmark's singles arrive in step.)
 * @module
 */

import type { Job } from "../../job.ts";
import { isUnavailable, type Sql } from "./connection.ts";
import { insertJobs, notifyReady, readyTypes, recordRetries } from "./job_writes.ts";
import { eachAlone, type Outcome, WriteLane } from "./write_lane.ts";

/** Insert batches written at once (on as many connections of the pool). */
export const INSERT_WRITES = 2;

/** Times a caller's jobs are written again after the database broke a deadlock with them. */
const DEADLOCK_TRIES = 3;

/**
 * @example
 * ```ts ignore
 * const inserts = new JobInserts(sql, "denoqueue_ready");
 * const [job] = await inserts.insert([newJob]);
 * ```
 */
export class JobInserts {
  #lane: WriteLane<Job[], Job[]>;

  /** Writes with `sql`, announcing ready jobs on `channel`. */
  constructor(readonly sql: Sql, readonly channel: string, maxWrites = INSERT_WRITES) {
    this.#lane = new WriteLane((batches) => this.#write(batches), maxWrites);
  }

  /**
   * Inserts `jobs` (in one statement, with other callers' or not) and returns them numbered, in
   * order, once committed. Rejects as the statement did, or with `A job with id … already
   * exists`, for this caller alone.
   */
  insert(jobs: Job[]): Promise<Job[]> {
    return this.#lane.run(jobs);
  }

  /**
   * The batches of several callers at once; if that fails, each on its own, so that a bad one
   * fails alone. Batches written at once may deadlock only when they repeat each other's ids:
   * the one the database stops is written again, and fails as a duplicate. Written on their
   * own, those stored before the server went away are told so (see {@linkcode eachAlone}).
   */
  async #write(batches: Job[][]): Promise<Outcome<Job[]>[]> {
    try {
      const outputs = await this.#insertAll(batches);
      return outputs.map((output) => ({ ok: true as const, output }));
    } catch (error) {
      if (isUnavailable(error) || (batches.length === 1 && !isDeadlock(error))) throw error;
    }
    return await eachAlone(batches, (jobs) => this.#insertAlone(jobs), isUnavailable);
  }

  /** One caller's jobs, written again (a few times) if a deadlock stopped them. */
  async #insertAlone(jobs: Job[]): Promise<Job[]> {
    for (let tries = 1;; tries++) {
      try {
        const [output] = await this.#insertAll([jobs]);
        return output;
      } catch (error) {
        if (!isDeadlock(error) || tries >= DEADLOCK_TRIES) throw error;
      }
    }
  }

  /** Inserts the jobs of `batches` at once; returns each batch's jobs, numbered. */
  async #insertAll(batches: Job[][]): Promise<Job[][]> {
    const all = batches.length === 1 ? batches[0] : batches.flat();
    const inserted = all.some((job) => job.retryOf !== undefined)
      ? await this.sql.begin(async (tx) => {
        const jobs = await recordRetries(tx, await insertJobs(tx, all));
        await notifyReady(tx, this.channel, readyTypes(jobs));
        return jobs;
      }) as Job[]
      : await insertJobs(this.sql, all, this.channel);
    if (batches.length === 1) return [inserted];
    let start = 0;
    return batches.map((jobs) => inserted.slice(start, start += jobs.length));
  }
}

/** Whether `error` is the database breaking a deadlock by stopping this statement. */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "40P01";
}
