/**
 * The worker sets whose last claim found no more jobs of their types, and to which no ready
 * jobs were announced since: claiming again for them would come back empty, so the pool waits
 * for the next announcement (an enqueue, a job put back or come due, another node's NOTIFY, the
 * store's safety poll) instead of asking the store after every outcome. An announcement made
 * while a claim was on its way keeps its set undrained: the claim may have missed those jobs.
 * @module
 */

import type { WorkerSet } from "./worker_set.ts";

/**
 * @example
 * ```ts ignore
 * const drained = new DrainedSets();
 * const mark = drained.mark();
 * const jobs = await queue.claim(10, handle.id, set.types);
 * if (jobs.length < 10) drained.cameShort(set, mark);
 * ```
 */
export class DrainedSets {
  #drained = new Set<WorkerSet>();
  #announcements = 0;

  /** Taken as a claim starts, for {@linkcode cameShort}. */
  mark(): number {
    return this.#announcements;
  }

  /** A claim for `set` started at `mark` brought fewer jobs than asked. */
  cameShort(set: WorkerSet, mark: number): void {
    if (mark === this.#announcements) this.#drained.add(set);
  }

  /** Jobs became ready for `sets` (all of them when not known). */
  announced(sets: Iterable<WorkerSet | undefined> | undefined): void {
    this.#announcements++;
    if (sets === undefined) this.#drained.clear();
    else for (const set of sets) if (set !== undefined) this.#drained.delete(set);
  }

  /** Whether claiming for `set` now would find nothing. */
  has(set: WorkerSet): boolean {
    return this.#drained.has(set);
  }
}
