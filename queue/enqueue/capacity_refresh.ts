/**
 * Capacity for a cluster: every `everyMs` the node counts the unfinished jobs stored by all
 * nodes (one indexed read, no counter row that every enqueue updates) and rebases its
 * `Capacity` on it. Between two counts a node sees its own enqueues and finishes at once and
 * the others' at the next count, so the cluster can overshoot the limit by what the other
 * nodes store in one period (and the count's own time): nodes × enqueue rate × period.
 * @module
 */

import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { Ticker } from "../primitives/ticker.ts";
import type { Capacity } from "./capacity.ts";

/** The default time between counts, in ms. */
export const DEFAULT_CAPACITY_REFRESH_MS = 200;

/** What a {@linkcode CapacityRefresh} works with. */
export interface CapacityRefreshDeps {
  capacity: Pick<Capacity, "mark" | "rebase">;
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
 * await refresh.runOnce();
 * ```
 */
export class CapacityRefresh {
  readonly everyMs: number;
  #deps: CapacityRefreshDeps;
  #ticker: Ticker;
  #failing = false;

  constructor(deps: CapacityRefreshDeps) {
    this.#deps = deps;
    this.everyMs = deps.everyMs ?? DEFAULT_CAPACITY_REFRESH_MS;
    this.#ticker = new Ticker("Capacity count", this.everyMs, () => this.runOnce());
  }

  /** Counts every `everyMs` until `stop`. */
  start(): void {
    this.#ticker.start();
  }

  /** Stops counting; resolves once a count in progress has ended. */
  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /** Counts the stored unfinished jobs once and rebases the capacity on them. */
  async runOnce(): Promise<void> {
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
    capacity.rebase(stored, mark);
  }
}
