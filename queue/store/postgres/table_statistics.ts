/**
 * The planner's statistics of the jobs table kept up with its growth. A queue that fills from
 * nearly empty (a burst of enqueues) otherwise runs on the statistics of the empty table until
 * autovacuum's next visit (`autovacuum_naptime`, a minute by default): the planner then expects
 * a handful of queued rows, so each claim reads and sorts every queued row and each outcome
 * scans the whole table (a hash join against the outcome rows), milliseconds per job that
 * grow with the backlog. Counting this process's inserts and running `ANALYZE` once they are
 * a large share of the table keeps the plans on the indexes.
 * @module
 */

import type { Queries } from "./connection.ts";

/** Rows inserted before the first `ANALYZE`, and at least between two. */
export const MIN_GROWTH = 1_000;
/** The share of the table (as last analyzed) inserted since that calls for another. */
export const GROWTH_SHARE = 0.5;

/** Runs `ANALYZE jobs` and returns the rows the planner now counts (`reltuples`). */
export async function analyzeJobs(sql: Queries): Promise<number> {
  await sql`ANALYZE jobs`;
  const [row] = await sql<{ rows: number }[]>`
    SELECT greatest(reltuples, 0)::int8 AS rows FROM pg_class WHERE oid = 'jobs'::regclass`;
  return row?.rows ?? 0;
}

/**
 * @example
 * ```ts ignore
 * const growth = new TableGrowth(() => analyzeJobs(sql));
 * growth.inserted(5_000); // an ANALYZE starts in the background
 * await growth.settled();
 * ```
 */
export class TableGrowth {
  #since = 0;
  #known = 0;
  #running: Promise<void> | undefined;

  /**
   * `analyze` refreshes the statistics and returns the table's rows; when it fails the rows
   * stay counted, so the next insert tries again (autovacuum remains the fallback).
   */
  constructor(readonly analyze: () => Promise<number>) {}

  /** Counts `rows` inserted; starts an `ANALYZE` (one at a time) once the table grew enough. */
  inserted(rows: number): void {
    this.#since += rows;
    if (this.#running !== undefined) return;
    if (this.#since < Math.max(MIN_GROWTH, GROWTH_SHARE * this.#known)) return;
    const counted = this.#since;
    this.#since = 0;
    this.#running = this.analyze()
      .then((known) => void (this.#known = known))
      .catch(() => void (this.#since += counted))
      .finally(() => this.#running = undefined);
  }

  /** Resolves once no `ANALYZE` is running (before the connections close). */
  async settled(): Promise<void> {
    await this.#running;
  }
}
