/**
 * The queue's capacity: room for a bounded number of unfinished jobs, taken by enqueues and
 * given back as jobs finish, are cancelled or are removed. A full queue makes an enqueue wait
 * for room (backpressure), then refuses it with a hint of when to try again. On a store shared
 * by a cluster, `rebase` sets what is used from the database's count, and near the limit a
 * reservation waits for a fresh count first (see `CapacityRefresh`).
 * @module
 */

import {
  EnqueueAbortedError,
  QueueFullError,
  ShuttingDownError,
  ValidationError,
} from "../errors.ts";
import { Semaphore } from "../primitives/semaphore.ts";

/** Options for {@linkcode Capacity}. */
export interface CapacityOptions {
  /** Unfinished jobs allowed at once. Default 10,000. */
  limit?: number;
  /** Milliseconds an enqueue waits for room before it is refused. Default 5,000. */
  enqueueWait?: number;
  /** Jobs finished per second lately: how soon room is likely, for `Retry-After`. */
  finishingRate?: () => number;
}

/** How full the queue is, as stats show it. */
export interface CapacityUsage {
  limit: number;
  used: number;
  /** Enqueues waiting for room. */
  waiting: number;
}

/**
 * Where this node's reservations stood when a count of the stored jobs began: what that count
 * may not include yet.
 */
export interface CapacityMark {
  /** Jobs reserved since start. */
  reserved: number;
  /** Jobs reserved whose insert had not resolved yet. */
  inFlight: number;
}

/**
 * Counts of the stored jobs on demand, for a capacity shared by a cluster: within `margin()`
 * of the limit, a reservation first waits for `fresh()`, a count begun after it asked.
 */
export interface FreshCounts {
  /** Room (in jobs) under which a reservation counts first. */
  margin(): number;
  /** Resolves once a count begun after the call has rebased the capacity; never rejects. */
  fresh(): Promise<void>;
}

/**
 * @example
 * ```ts
 * import { Capacity } from "./capacity.ts";
 * const capacity = new Capacity({ limit: 2, enqueueWait: 1000 });
 * await capacity.reserve(2);
 * capacity.release(2);
 * ```
 */
export class Capacity {
  readonly enqueueWait: number;
  #room: Semaphore;
  #finishingRate: () => number;
  readonly #closing = new AbortController();
  #reserved = 0;
  #inFlight = 0;
  #freshCounts: FreshCounts | undefined;

  constructor(options: CapacityOptions = {}) {
    const enqueueWait = options.enqueueWait ?? 5_000;
    if (!Number.isInteger(enqueueWait) || enqueueWait < 0) {
      throw new RangeError(`enqueueWait must be a non-negative integer, received ${enqueueWait}`);
    }
    this.enqueueWait = enqueueWait;
    this.#room = new Semaphore(options.limit ?? 10_000);
    this.#finishingRate = options.finishingRate ?? (() => 0);
  }

  /**
   * Takes room for `count` jobs, waiting up to `enqueueWait` for it. Rejects with
   * `ValidationError` (more than the whole capacity), `QueueFullError`, `ShuttingDownError`
   * (after `close()`), or `EnqueueAbortedError` (`signal` aborted). Reads `signal` only if it
   * has to wait. With {@linkcode countNearLimit}, a reservation that would leave less room than
   * the margin waits for a fresh count first.
   */
  async reserve(count: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (count > this.#room.capacity) {
      throw new ValidationError(
        `A batch of ${count} jobs is larger than the queue's capacity of ${this.#room.capacity}`,
        "jobs",
      );
    }
    const counts = this.#freshCounts;
    if (counts !== undefined && this.#room.available - count < counts.margin()) {
      // Near the limit the last count may miss what other nodes stored since: count again.
      await counts.fresh();
      if (this.#closing.signal.aborted) throw new ShuttingDownError();
    }
    if (this.#room.tryAcquire(count)) {
      this.#taken(count);
      return;
    }
    const signal = options.signal;
    const timeout = AbortSignal.timeout(this.enqueueWait);
    const closing = this.#closing.signal;
    try {
      await this.#room.acquire(count, {
        signal: AbortSignal.any(signal ? [signal, timeout, closing] : [timeout, closing]),
      });
      this.#taken(count);
    } catch (error) {
      if (closing.aborted) throw new ShuttingDownError();
      if (timeout.aborted && !signal?.aborted) throw new QueueFullError(this.#retryAfter(count));
      throw new EnqueueAbortedError(error);
    }
  }

  /**
   * Makes every reservation near the limit wait for a fresh count of the stored jobs (on a
   * store shared by a cluster): what other nodes stored since the last count is then missed
   * only while their inserts are in flight.
   */
  countNearLimit(counts: FreshCounts): void {
    this.#freshCounts = counts;
  }

  /** Whether room for one more job is free now (takes nothing). */
  hasRoom(): boolean {
    if (!this.#room.tryAcquire(1)) return false;
    this.#room.release(1);
    return true;
  }

  /** The `count` jobs reserved last are stored: a count of the stored jobs now includes them. */
  stored(count: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - count);
  }

  /** Gives back the room reserved for `count` jobs whose insert failed. */
  unreserve(count: number): void {
    this.stored(count);
    this.release(count);
  }

  /** Where reservations stand, taken just before counting the stored jobs for `rebase`. */
  mark(): CapacityMark {
    return { reserved: this.#reserved, inFlight: this.#inFlight };
  }

  /**
   * Sets the room used to `stored` unfinished jobs (counted in the database after `mark` was
   * taken) plus what that count may miss of this node's: the inserts in flight at the mark and
   * every reservation since. Waiters get the room it frees. Errs on the side of too full: a job
   * counted twice is counted once again at the next rebase. Returns the change in the room
   * used: what other nodes stored (positive) or finished (negative) that this node had not seen.
   */
  rebase(stored: number, mark: CapacityMark): number {
    const target = stored + mark.inFlight + (this.#reserved - mark.reserved);
    const used = this.#room.capacity - this.#room.available;
    if (target > used) this.#room.force(target - used);
    else if (target < used) this.#room.release(used - target);
    return target - used;
  }

  /** Gives back the room of `count` jobs that finished, were cancelled or removed. */
  release(count: number): void {
    if (count > 0) this.#room.release(count);
  }

  /** Counts jobs already unfinished (found in storage at start-up), even past the limit. */
  occupy(count: number): void {
    if (count > 0) this.#room.force(count);
  }

  /** Refuses enqueues waiting for room now rather than when their wait runs out. */
  close(): void {
    this.#closing.abort();
  }

  usage(): CapacityUsage {
    return {
      limit: this.#room.capacity,
      used: this.#room.capacity - this.#room.available,
      waiting: this.#room.waiting,
    };
  }

  #taken(count: number): void {
    this.#reserved += count;
    this.#inFlight += count;
  }

  /** Seconds until room for `count` jobs is likely, from the recent finishing rate. */
  #retryAfter(count: number): number {
    const rate = this.#finishingRate();
    if (rate <= 0) return 1;
    return Math.min(60, Math.max(1, Math.ceil(count / rate)));
  }
}
