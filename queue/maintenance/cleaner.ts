/**
 * The cleaner: removes finished jobs past retention (older than their status's age limit, or
 * beyond the count kept per status), in steps so a large backlog never blocks the store.
 * @module
 */

import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { Ticker } from "../primitives/ticker.ts";
import type { JobStore } from "../store/job_store.ts";
import type { MaintenanceService } from "./service.ts";

/** How long and how many finished jobs are kept; durations in ms. */
export interface Retention {
  /** Default 24 h. */
  completed: number;
  /** Failed and cancelled jobs. Default 7 days. */
  failed: number;
  /** Per final status, at most this many, the newest. Default 100,000. */
  count: number;
}

/** The retention defaults. */
export const DEFAULT_RETENTION: Readonly<Retention> = {
  completed: 24 * 3_600_000,
  failed: 7 * 24 * 3_600_000,
  count: 100_000,
};

/** What the {@linkcode Cleaner} works with. */
export interface CleanerDeps {
  store: JobStore;
  retention: Retention;
  now: () => number;
  /** Milliseconds between passes. Default 60,000. */
  interval?: number;
  /** Where a failed pass is logged. Default: `defaultLogger()`. */
  logger?: Logger;
}

/** Rows removed at most per store call. */
const PRUNE_STEP = 10_000;

/**
 * @example
 * ```ts ignore
 * const cleaner = new Cleaner({ store, retention: DEFAULT_RETENTION, now: Date.now });
 * await cleaner.runOnce();
 * ```
 */
export class Cleaner implements MaintenanceService {
  readonly name = "cleaner";
  #deps: CleanerDeps;
  #ticker: Ticker;

  constructor(deps: CleanerDeps) {
    this.#deps = deps;
    const logger = deps.logger ?? defaultLogger();
    this.#ticker = new Ticker(
      "Cleaner",
      deps.interval ?? 60_000,
      (signal) => this.#prune(signal),
      (error) => logger.error("Cleaner failed", { error }),
    );
  }

  start(): void {
    this.#ticker.start();
  }

  /** Stops the schedule; a pass in progress ends after its current step. */
  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /** Removes finished jobs past retention; resolves with how many. */
  runOnce(): Promise<number> {
    return this.#prune();
  }

  /** Prunes step by step; once `signal` aborts (the cleaner stops), no further step starts. */
  async #prune(signal?: AbortSignal): Promise<number> {
    const { store, now } = this.#deps;
    const cutOffAt = now();
    const { completed, failed, count } = this.#deps.retention;
    let removed = 0;
    for (;;) {
      const step = await store.prune({
        finishedBefore: {
          completed: cutOffAt - completed,
          failed: cutOffAt - failed,
          cancelled: cutOffAt - failed,
        },
        keep: count,
        limit: PRUNE_STEP,
      });
      removed += step;
      if (step < PRUNE_STEP || signal?.aborted) return removed;
    }
  }
}
