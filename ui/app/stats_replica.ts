/**
 * The dashboard's copy of the server's stats, kept up from the live feed: a `stats` message
 * replaces it, a `stats-delta` changes it, but only if the delta was made from exactly the
 * stats held (its `base` is the id of the message they came in). Anything else means a message
 * was missed, and the copy says so instead of drifting from the server.
 * @module
 */

import { applyJsonDelta } from "../../api/json_delta.ts";
// From the server's module, not api_types.ts: that one brings the DOM library, and Deno tests
// this module without it.
import type { FeedStats as Stats, StatsDelta } from "../../api/live_feed.ts";

/**
 * @example
 * ```ts
 * import { StatsReplica } from "./stats_replica.ts";
 * import type { FeedStats } from "../../api/live_feed.ts";
 * const replica = new StatsReplica();
 * replica.snapshot(7, { staleOutcomes: 0 } as FeedStats);
 * replica.delta(9, { base: 7, set: { "/staleOutcomes": 1 } })?.staleOutcomes; // 1
 * replica.delta(12, { base: 10 }); // undefined: message 10 was missed
 * ```
 */
export class StatsReplica {
  #seq: number | undefined;
  #stats: Stats | undefined;

  /** The stats held, once a snapshot came. */
  get stats(): Stats | undefined {
    return this.#stats;
  }

  /** Takes the whole stats of the message with id `seq`. */
  snapshot(seq: number, stats: Stats): Stats {
    this.#seq = seq;
    this.#stats = stats;
    return stats;
  }

  /**
   * Applies the delta of the message with id `seq`, and returns the new stats; `undefined`
   * when it does not apply to the stats held (then they stay as they were, and only a snapshot
   * is taken from now on).
   */
  delta(seq: number, delta: StatsDelta): Stats | undefined {
    if (this.#stats === undefined || this.#seq === undefined || delta.base !== this.#seq) {
      this.#seq = undefined;
      return undefined;
    }
    try {
      this.#stats = applyJsonDelta(this.#stats, delta);
    } catch {
      // It does not fit what we hold: as good as a missed message.
      this.#seq = undefined;
      return undefined;
    }
    this.#seq = seq;
    return this.#stats;
  }

  /** Accepts no delta until the next snapshot (the stream was broken; the stats stay shown). */
  reset(): void {
    this.#seq = undefined;
  }
}
