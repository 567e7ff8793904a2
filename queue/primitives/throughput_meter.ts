/**
 * Counts finished jobs per second over a sliding window (the last minute by default).
 * @module
 */

/**
 * @example
 * ```ts
 * import { ThroughputMeter } from "./throughput_meter.ts";
 * const meter = new ThroughputMeter();
 * meter.record(1);
 * meter.perSecond(); // average over the window
 * ```
 */
export class ThroughputMeter {
  #buckets: Float64Array;
  #stamps: Float64Array;
  #started: number;

  constructor(
    readonly windowSeconds = 60,
    readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
      throw new RangeError(`windowSeconds must be a positive integer, received ${windowSeconds}`);
    }
    this.#buckets = new Float64Array(windowSeconds);
    this.#stamps = new Float64Array(windowSeconds).fill(-1);
    this.#started = Math.floor(now() / 1000);
  }

  /** Adds `count` events at the current second. */
  record(count = 1): void {
    const second = Math.floor(this.now() / 1000);
    const index = second % this.windowSeconds;
    if (this.#stamps[index] !== second) {
      this.#stamps[index] = second;
      this.#buckets[index] = 0;
    }
    this.#buckets[index] += count;
  }

  /** Counts of the last `seconds` seconds, the current (partial) one last (at most the window). */
  series(seconds = this.windowSeconds): number[] {
    const count = Math.min(seconds, this.windowSeconds);
    const second = Math.floor(this.now() / 1000);
    const result: number[] = [];
    for (let s = second - count + 1; s <= second; s++) {
      const index = s % this.windowSeconds;
      result.push(this.#stamps[index] === s ? this.#buckets[index] : 0);
    }
    return result;
  }

  /**
   * Events in the last `seconds` (default: the window), divided by the seconds of that span
   * that have elapsed since the meter started.
   */
  perSecond(seconds = this.windowSeconds): number {
    const span = Math.min(seconds, this.windowSeconds);
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      if (this.#stamps[i] > second - span) total += this.#buckets[i];
    }
    const elapsed = Math.min(span, Math.max(1, second - this.#started + 1));
    return total / elapsed;
  }
}
