/**
 * The queue's figures beyond what the store counts: jobs finished per second (the throughput
 * chart, and the hint for `Retry-After`) and each type's recent durations and failure rate.
 * @module
 */

import type { CapacityUsage } from "../enqueue/capacity.ts";
import { ThroughputMeter } from "../primitives/throughput_meter.ts";
import type { JobCounts } from "../store/job_store.ts";
import { type TypeMetric, TypeMetrics } from "./type_metrics.ts";

/** Counts, capacity, throughput and per-type figures. */
export interface QueueStats extends JobCounts {
  capacity: CapacityUsage;
  throughput: {
    /** Averages over the last minute. */
    completedPerSecond: number;
    failedPerSecond: number;
    windowSeconds: number;
    /** Jobs finished in each of the last five minutes' seconds, oldest first. */
    series: { completed: number[]; failed: number[] };
  };
  /** Mean and p95 duration and failure rate of each type's recent attempts. */
  types: Record<string, TypeMetric>;
  /**
   * Outcomes refused since start because their attempt was no longer the job's current one
   * (cancelled, removed or rescued while it ran).
   */
  staleOutcomes: number;
  /**
   * Since this server started: jobs completed and failed for good (as the throughput chart
   * counts them, the cluster's), and attempts its own workers ended. Unlike `byStatus`, these
   * count jobs that retention no longer keeps (`--retain-completed 0`).
   */
  totals: { completed: number; failed: number; attempts: number };
}

/** Seconds of per-second history kept for the throughput chart. */
const SERIES_SECONDS = 300;
/** Seconds that "jobs per second" averages over. */
const RATE_SECONDS = 60;

/**
 * @example
 * ```ts
 * import { QueueStatistics } from "./queue_stats.ts";
 * const statistics = new QueueStatistics();
 * statistics.attemptEnded("email", 120, false);
 * statistics.finished(1, 0);
 * statistics.finishingRate();
 * ```
 */
export class QueueStatistics {
  #completed: ThroughputMeter;
  #failed: ThroughputMeter;
  #types = new TypeMetrics();
  #staleOutcomes = 0;
  #totals = { completed: 0, failed: 0, attempts: 0 };

  constructor(now: () => number = Date.now) {
    this.#completed = new ThroughputMeter(SERIES_SECONDS, now);
    this.#failed = new ThroughputMeter(SERIES_SECONDS, now);
  }

  /** Records one attempt of `type` that took `durationMs`, failed or not. */
  attemptEnded(type: string, durationMs: number, failed: boolean): void {
    this.#types.record(type, durationMs, failed);
    this.#totals.attempts++;
  }

  /** Records jobs that ended for good: `completed` completed, `failed` failed. */
  finished(completed: number, failed: number): void {
    if (completed > 0) this.#completed.record(completed);
    if (failed > 0) this.#failed.record(failed);
    this.#totals.completed += completed;
    this.#totals.failed += failed;
  }

  /** Records `count` outcomes refused because their attempt was no longer current. */
  staleOutcomes(count: number): void {
    this.#staleOutcomes += count;
  }

  /** Jobs finished (completed or failed) per second over the last minute. */
  finishingRate(): number {
    return this.#completed.perSecond(RATE_SECONDS) + this.#failed.perSecond(RATE_SECONDS);
  }

  /** The stats of a queue whose store counts `counts` and whose room is `capacity`. */
  snapshot(counts: JobCounts, capacity: CapacityUsage): QueueStats {
    return {
      ...counts,
      capacity,
      throughput: {
        completedPerSecond: this.#completed.perSecond(RATE_SECONDS),
        failedPerSecond: this.#failed.perSecond(RATE_SECONDS),
        windowSeconds: RATE_SECONDS,
        series: { completed: this.#completed.series(), failed: this.#failed.series() },
      },
      types: this.#types.snapshot(),
      staleOutcomes: this.#staleOutcomes,
      totals: { ...this.#totals },
    };
  }
}
