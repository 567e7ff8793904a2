/**
 * The counts the stats show, read from the store at most once per `maxAgeMs`: on a shared store
 * (PostgreSQL) counting is a query over the whole table, and the dashboard, the live feed and
 * every `GET /api/stats` poller would otherwise each run one. Capacity never reads these: it
 * counts what is stored once at open and keeps its own exact tally.
 * @module
 */

import type { JobCounts } from "../store/job_store.ts";

/**
 * @example
 * ```ts
 * import { RecentCounts } from "./recent_counts.ts";
 * import { emptyStatusCounts } from "../store/status_counts.ts";
 * let reads = 0;
 * const counts = new RecentCounts(() => {
 *   reads++;
 *   return Promise.resolve({
 *     byStatus: emptyStatusCounts(),
 *     byType: {},
 *     retried: { failed: 0, cancelled: 0 },
 *   });
 * }, 1_000);
 * await counts.read();
 * await counts.read(); // the same counts: reads === 1
 * ```
 */
export class RecentCounts {
  #count: () => Promise<JobCounts>;
  #maxAgeMs: number;
  #now: () => number;
  /** The last read (in flight or done) and when it started. */
  #last: { at: number; counts: Promise<JobCounts> } | undefined;

  /**
   * `count` reads the store; its result is reused while younger than `maxAgeMs` (0: every
   * call reads). A failed read is not reused.
   */
  constructor(count: () => Promise<JobCounts>, maxAgeMs: number, now: () => number = Date.now) {
    if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
      throw new RangeError(`maxAgeMs must be a number ≥ 0, received ${maxAgeMs}`);
    }
    this.#count = count;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /** The counts of a read started at most `maxAgeMs` ago (or in flight), else of a new one. */
  read(): Promise<JobCounts> {
    const now = this.#now();
    const last = this.#last;
    if (this.#maxAgeMs > 0 && last !== undefined && now - last.at < this.#maxAgeMs) {
      return last.counts;
    }
    const counts = this.#count();
    const entry = { at: now, counts };
    this.#last = entry;
    counts.catch(() => {
      if (this.#last === entry) this.#last = undefined;
    });
    return counts;
  }
}
