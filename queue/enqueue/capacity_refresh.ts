/**
 * Capacity for a cluster: every `everyMs` the node counts the unfinished jobs stored by all
 * nodes (one indexed read, no counter row that every enqueue updates) and rebases its
 * `Capacity` on it. Far from the limit that is all: no query per enqueue. Within a margin of
 * the limit (the larger of a tenth of the capacity and what this node enqueued, or found the
 * others had stored, in one period) each reservation waits for a count begun after it asked,
 * the reservations asking while one runs sharing the next. A count then misses only the jobs
 * other nodes had reserved and not stored yet, so the cluster overshoots the limit by at most
 * the jobs of the other nodes' enqueues in flight, not by what they store in a period.
 * @module
 */

import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { Ticker } from "../primitives/ticker.ts";
import type { Capacity, FreshCounts } from "./capacity.ts";

/** The default time between counts, in ms. */
export const DEFAULT_CAPACITY_REFRESH_MS = 200;

/** What a {@linkcode CapacityRefresh} works with. */
export interface CapacityRefreshDeps {
  capacity: Pick<Capacity, "mark" | "rebase" | "usage">;
  /** The unfinished jobs stored now, by every node. */
  countUnfinished: () => Promise<number>;
  /** Time between counts, in ms. Default {@linkcode DEFAULT_CAPACITY_REFRESH_MS}. */
  everyMs?: number;
  /** Where a count that fails is reported (once, until one succeeds). Default `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts
 * import { Capacity } from "./capacity.ts";
 * import { CapacityRefresh } from "./capacity_refresh.ts";
 * const capacity = new Capacity({ limit: 10 });
 * const refresh = new CapacityRefresh({ capacity, countUnfinished: () => Promise.resolve(4) });
 * capacity.countNearLimit(refresh);
 * await refresh.runOnce();
 * ```
 */
export class CapacityRefresh implements FreshCounts {
  readonly everyMs: number;
  #deps: CapacityRefreshDeps;
  #ticker: Ticker;
  #failing = false;
  #stopped = false;
  /** The count running now, and the one that follows it for those who asked meanwhile. */
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  /** This node's reservations when the last count began. */
  #reservedAtCount = 0;
  /** This node's reservations at the start of the period, and what counts found others add. */
  #reservedAtPeriod = 0;
  #unseenInPeriod = 0;
  /** The most jobs added in one of the last two periods, by this node or unseen by it. */
  #perPeriod = [0, 0];

  constructor(deps: CapacityRefreshDeps) {
    this.#deps = deps;
    this.everyMs = deps.everyMs ?? DEFAULT_CAPACITY_REFRESH_MS;
    this.#ticker = new Ticker("Capacity count", this.everyMs, () => {
      this.#endPeriod();
      return this.runOnce();
    });
  }

  /** Counts every `everyMs` until `stop`. */
  start(): void {
    this.#reservedAtPeriod = this.#reservedAtCount = this.#deps.capacity.mark().reserved;
    this.#ticker.start();
  }

  /** Stops counting; resolves once a count in progress has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ticker.stop();
    await this.#next;
    await this.#running;
  }

  /**
   * Room under which reservations count first: a tenth of the capacity, or more when this
   * node enqueued, or the counts found the others had stored, more than that in one of the
   * last two periods, or this node reserved more since the last count (in a burst the others
   * may have stored as much, unseen).
   */
  margin(): number {
    const sinceCount = this.#deps.capacity.mark().reserved - this.#reservedAtCount;
    const tenth = Math.ceil(this.#deps.capacity.usage().limit / 10);
    return Math.max(tenth, sinceCount, ...this.#perPeriod);
  }

  /** Counts the stored unfinished jobs and rebases the capacity, unless a count runs already. */
  runOnce(): Promise<void> {
    return this.#running ?? this.#count();
  }

  /**
   * Resolves once a count begun after this call has rebased the capacity (at once after
   * `stop`: the store may be closing); never rejects.
   */
  fresh(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running === undefined) return this.#count();
    this.#next ??= this.#running.then(() => {
      this.#next = undefined;
      return this.#count();
    });
    return this.#next;
  }

  #count(): Promise<void> {
    const running = this.#countAndRebase().finally(() => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  async #countAndRebase(): Promise<void> {
    const { capacity, countUnfinished } = this.#deps;
    const mark = capacity.mark();
    let stored: number;
    try {
      stored = await countUnfinished();
    } catch (error) {
      // The room used stays as it was, this node's enqueues and finishes still counted in it.
      if (!this.#failing) {
        (this.#deps.logger ?? defaultLogger()).warn(
          "Could not count the cluster's unfinished jobs; capacity counts this node's changes " +
            "until a count succeeds",
          { error },
        );
      }
      this.#failing = true;
      return;
    }
    this.#failing = false;
    this.#reservedAtCount = Math.max(this.#reservedAtCount, mark.reserved);
    this.#unseenInPeriod += Math.max(0, capacity.rebase(stored, mark));
  }

  /** Rolls the margin's measure over at each tick: what was added in the period that ended. */
  #endPeriod(): void {
    const reserved = this.#deps.capacity.mark().reserved;
    const added = Math.max(reserved - this.#reservedAtPeriod, this.#unseenInPeriod);
    this.#perPeriod = [this.#perPeriod[1], added];
    this.#reservedAtPeriod = reserved;
    this.#unseenInPeriod = 0;
  }
}
