/**
 * Counts of jobs by status and by type, kept up to date by a store as it changes jobs, so
 * stats cost nothing per request.
 * @module
 */

import type { JobStatus } from "../lifecycle.ts";
import type { JobCounts, RetriableStatus } from "./job_store.ts";

/**
 * @example
 * ```ts
 * import { StatusCounts } from "./status_counts.ts";
 * const counts = new StatusCounts();
 * counts.add("email", "queued", 1);
 * counts.move("email", "queued", "in-progress");
 * ```
 */
export class StatusCounts {
  #byStatus = emptyStatusCounts();
  #byType = new Map<string, Record<JobStatus, number>>();
  #retried: Record<RetriableStatus, number> = { failed: 0, cancelled: 0 };

  /** Adds `delta` jobs of `type` in `status` (negative to remove). */
  add(type: string, status: JobStatus, delta: number): void {
    this.#byStatus[status] += delta;
    let byType = this.#byType.get(type);
    if (byType === undefined) {
      byType = emptyStatusCounts();
      this.#byType.set(type, byType);
    }
    byType[status] += delta;
  }

  /** Adds `delta` jobs in `status` whose manual retry is recorded (others are not counted). */
  addRetried(status: JobStatus, delta: number): void {
    if (status === "failed" || status === "cancelled") this.#retried[status] += delta;
  }

  /** Moves one job of `type` from one status to another. */
  move(type: string, from: JobStatus, to: JobStatus): void {
    if (from === to) return;
    this.add(type, from, -1);
    this.add(type, to, 1);
  }

  /** Jobs not yet final. */
  get unfinished(): number {
    return this.#byStatus.queued + this.#byStatus.scheduled + this.#byStatus["in-progress"];
  }

  /** A copy of the counts. */
  snapshot(): JobCounts {
    const byType: JobCounts["byType"] = {};
    for (const [type, counts] of this.#byType) byType[type] = { ...counts };
    return { byStatus: { ...this.#byStatus }, byType, retried: { ...this.#retried } };
  }
}

/** Zeroed counts for every status. */
export function emptyStatusCounts(): Record<JobStatus, number> {
  return {
    "queued": 0,
    "scheduled": 0,
    "in-progress": 0,
    "completed": 0,
    "failed": 0,
    "cancelled": 0,
  };
}
