/**
 * The SQLite store's queued jobs in memory, in claim order per type, so that a claim writes a
 * few columns of the rows it takes instead of searching and reading them back. It holds copies
 * of its own: a claim moves them on in place, so none may be an object someone else was handed.
 * @module
 */

import type { Job } from "../../job.ts";
import { TypedReadyList } from "../typed_ready_list.ts";

/**
 * @example
 * ```ts
 * import { ReadyList } from "./ready_list.ts";
 * const ready = new ReadyList();
 * ready.size; // 0
 * ```
 */
export class ReadyList {
  #jobs = new TypedReadyList<number, Job>();

  /** Queued jobs held. */
  get size(): number {
    return this.#jobs.size;
  }

  /** Whether a job is held, of any type or (with `types`) of one of those. */
  has(types?: readonly string[]): boolean {
    return this.#jobs.has(types);
  }

  /** Adds a copy of a job that became queued (an insert's, an update's, a promotion's). */
  add(job: Job): void {
    this.#jobs.add(job.type, job.seq, {
      ...job,
      attempts: [...job.attempts],
      logs: [...job.logs],
    });
  }

  /** Forgets the job `seq` (claimed, moved out of queued, or removed). */
  remove(seq: number): void {
    this.#jobs.remove(seq);
  }

  /**
   * Takes up to `limit` jobs out, oldest first, of any type or (with `types`) of those only:
   * they are the caller's from now on.
   */
  take(limit: number, types?: readonly string[]): Job[] {
    return this.#jobs.take(limit, types);
  }

  /** Replaces the list with `jobs`, read from the file (oldest first); they are its own. */
  load(jobs: Job[]): void {
    this.#jobs.clear();
    for (const job of jobs) this.#jobs.add(job.type, job.seq, job);
  }
}
