/**
 * A counting semaphore whose waiters are served first come, first served, and may ask for
 * several permits at once (a batch enqueue takes one permit per job, all or nothing).
 * @module
 */

interface Waiter {
  permits: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  cleanup: () => void;
}

/** Options for {@linkcode Semaphore.acquire}. */
export interface AcquireOptions {
  /** Gives up when aborted, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * @example
 * ```ts
 * import { Semaphore } from "./semaphore.ts";
 * const room = new Semaphore(2);
 * await room.acquire(2);
 * room.release(1);
 * ```
 */
export class Semaphore {
  #available: number;
  #capacity: number;
  #waiters: Waiter[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, received ${capacity}`);
    }
    this.#capacity = capacity;
    this.#available = capacity;
  }

  /** Permits in all. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Permits free now. */
  get available(): number {
    return this.#available;
  }

  /** How many callers are waiting. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes `permits` at once if they are free and nobody waits ahead; returns whether it did. */
  tryAcquire(permits = 1): boolean {
    this.#checkPermits(permits);
    if (this.#waiters.length > 0 || this.#available < permits) return false;
    this.#available -= permits;
    return true;
  }

  /** Waits until `permits` are free and every earlier waiter has been served, then takes them. */
  acquire(permits = 1, options: AcquireOptions = {}): Promise<void> {
    if (this.tryAcquire(permits)) return Promise.resolve();
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const onAbort = () => {
      const index = this.#waiters.indexOf(waiter);
      if (index === -1) return;
      this.#waiters.splice(index, 1);
      reject(signal!.reason);
      // The head leaving may let the next waiters in.
      this.#serve();
    };
    const waiter: Waiter = {
      permits,
      resolve,
      reject,
      cleanup: () => signal?.removeEventListener("abort", onAbort),
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#waiters.push(waiter);
    return promise;
  }

  /**
   * Gives back `permits`, waking waiters in order while there is room for them. May exceed
   * `capacity` when `force` took more than that; never frees more than `capacity`.
   */
  release(permits = 1): void {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new RangeError(`permits must be a positive integer, received ${permits}`);
    }
    this.#available = Math.min(this.#capacity, this.#available + permits);
    this.#serve();
  }

  /** Takes permits without waiting, even past capacity (for jobs that were already in the store). */
  force(permits: number): void {
    if (!Number.isInteger(permits) || permits < 0) {
      throw new RangeError(`permits must be a non-negative integer, received ${permits}`);
    }
    this.#available -= permits;
  }

  #serve(): void {
    while (this.#waiters.length > 0 && this.#waiters[0].permits <= this.#available) {
      const waiter = this.#waiters.shift()!;
      this.#available -= waiter.permits;
      waiter.cleanup();
      waiter.resolve();
    }
  }

  #checkPermits(permits: number): void {
    if (!Number.isInteger(permits) || permits < 1 || permits > this.#capacity) {
      throw new RangeError(
        `permits must be an integer from 1 to ${this.#capacity}, received ${permits}`,
      );
    }
  }
}
