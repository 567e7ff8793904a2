/**
 * Failed authentications per client address: past `limit` failures within `window` ms, the
 * address is refused (429) until the oldest of them leaves the window, whatever it presents, so
 * that guessing keys from one address is slow and a right guess cannot be told from a wrong one
 * while it is refused. Memory is bounded: at most `maxAddresses` are remembered, the least
 * recently failing forgotten first.
 * @module
 */

/** Options for {@linkcode FailedAttempts}. */
export interface FailedAttemptsOptions {
  /** Failures an address may have within `window`. Default 10. */
  limit?: number;
  /** The window, in ms. Default 60,000. */
  window?: number;
  /** Addresses remembered at most. Default 10,000. */
  maxAddresses?: number;
  /** The clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FailedAttempts } from "./failed_attempts.ts";
 * let now = 0;
 * const failures = new FailedAttempts({ limit: 2, window: 60_000, now: () => now });
 * failures.record("203.0.113.7");
 * assert.equal(failures.retryAfter("203.0.113.7"), 0);
 * failures.record("203.0.113.7");
 * assert.equal(failures.retryAfter("203.0.113.7"), 60);
 * now = 60_000;
 * assert.equal(failures.retryAfter("203.0.113.7"), 0);
 * ```
 */
export class FailedAttempts {
  readonly limit: number;
  readonly window: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  /** Per address, the times of its last `limit` failures, oldest first. */
  #failures = new Map<string, number[]>();

  constructor(options: FailedAttemptsOptions = {}) {
    this.limit = options.limit ?? 10;
    this.window = options.window ?? 60_000;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.limit) || this.limit < 1) {
      throw new RangeError(`limit must be a whole number of 1 or more, received ${options.limit}`);
    }
    if (!(this.window > 0)) {
      throw new RangeError(`window must be more than 0 ms, received ${options.window}`);
    }
  }

  /**
   * Seconds `address` must wait before it may try again (rounded up), or 0 when it may now.
   */
  retryAfter(address: string): number {
    const times = this.#failures.get(address);
    if (times === undefined || times.length < this.limit) return 0;
    const until = times[0] + this.window - this.#now();
    return until > 0 ? Math.ceil(until / 1000) : 0;
  }

  /** Records a failure of `address` now. */
  record(address: string): void {
    const now = this.#now();
    const times = (this.#failures.get(address) ?? []).filter((at) => now - at < this.window);
    times.push(now);
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    // Re-inserted last: the map's order is the order of last failure, oldest first.
    this.#failures.delete(address);
    this.#failures.set(address, times);
    if (this.#failures.size > this.#maxAddresses) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  /** Addresses remembered (for tests and the curious). */
  get size(): number {
    return this.#failures.size;
  }
}
