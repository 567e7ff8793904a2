/**
 * Trying again after a failure, by itself, with a backoff: each failure in a row waits twice as
 * long as the one before (up to a ceiling), a success starts over. One timer at most; nothing
 * runs while nothing failed.
 * @module
 */

/** Options for {@linkcode RetryTimer}. */
export interface RetryTimerOptions {
  /** Milliseconds before the first retry after a success. Default 100. */
  first?: number;
  /** Longest wait, in milliseconds. Default 5,000. */
  max?: number;
}

/**
 * @example
 * ```ts
 * import { RetryTimer } from "./retry_timer.ts";
 * const retry = new RetryTimer(() => console.log("trying again"), { first: 100, max: 5_000 });
 * const wait = retry.schedule(); // after a failure: runs the task in 100 ms (then 200, 400, ...)
 * retry.succeeded(); // after a success: no retry pending, and the next wait is 100 ms again
 * retry.stop();
 * ```
 */
export class RetryTimer {
  readonly first: number;
  readonly max: number;
  #task: () => void;
  #wait: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(task: () => void, options: RetryTimerOptions = {}) {
    this.first = options.first ?? 100;
    this.max = options.max ?? 5_000;
    for (const [name, value] of [["first", this.first], ["max", this.max]] as const) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`${name} must be a positive number, received ${value}`);
      }
    }
    if (this.max < this.first) {
      throw new RangeError(`max must be at least first (${this.first}), received ${this.max}`);
    }
    this.#task = task;
    this.#wait = this.first;
  }

  /** Whether a retry is waiting to run. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * After a failure: runs the task once the current wait has passed, and doubles the next wait.
   * A retry already pending stays as it is. Returns the wait in ms (0 when nothing was armed).
   */
  schedule(): number {
    if (this.#stopped || this.#timer !== undefined) return 0;
    const wait = this.#wait;
    this.#wait = Math.min(this.max, this.#wait * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#task();
    }, wait);
    return wait;
  }

  /** After a success: cancels a pending retry, and the next failure waits `first` again. */
  succeeded(): void {
    this.#wait = this.first;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Cancels a pending retry for good. */
  stop(): void {
    this.#stopped = true;
    this.succeeded();
  }
}
