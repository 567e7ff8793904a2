/**
 * The SQLite store's queued jobs in memory, in claim order, so that a claim writes a few
 * columns of the rows it takes instead of searching and reading them back. It holds copies of
 * its own: a claim moves them on in place, so none may be an object someone else was handed.
 * @module
 */

import type { Job } from "../../job.ts";

/**
 * @example
 * ```ts
 * import { ReadyList } from "./ready_list.ts";
 * const ready = new ReadyList();
 * ready.size; // 0
 * ```
 */
export class ReadyList {
  #jobs = new Map<number, Job>();

  /** Queued jobs held. */
  get size(): number {
    return this.#jobs.size;
  }

  /** Adds a copy of a job that became queued (an insert's, an update's, a promotion's). */
  add(job: Job): void {
    this.#jobs.set(job.seq, { ...job, attempts: [...job.attempts], logs: [...job.logs] });
  }

  /** Forgets the job `seq` (claimed, moved out of queued, or removed). */
  remove(seq: number): void {
    this.#jobs.delete(seq);
  }

  /** Takes up to `limit` jobs out, oldest first: they are the caller's from now on. */
  take(limit: number): Job[] {
    const taken: Job[] = [];
    for (const job of this.#jobs.values()) {
      if (taken.length >= limit) break;
      taken.push(job);
    }
    for (const job of taken) this.#jobs.delete(job.seq);
    return taken;
  }

  /** Replaces the list with `jobs`, read from the file (oldest first); they are its own. */
  load(jobs: Job[]): void {
    this.#jobs.clear();
    for (const job of jobs) this.#jobs.set(job.seq, job);
  }
}
