/**
 * Counts finished jobs per second over a sliding window (the last minute by default).
 * @module
 */

/**
 * @example
 * ```ts
 * import { ThroughputMeter } from "./throughput.ts";
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

  /** Events in the window, divided by the seconds elapsed in it (at most the window). */
  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      if (this.#stamps[i] > second - this.windowSeconds) total += this.#buckets[i];
    }
    const elapsed = Math.min(this.windowSeconds, Math.max(1, second - this.#started + 1));
    return total / elapsed;
  }
}
