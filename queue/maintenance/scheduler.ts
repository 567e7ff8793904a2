/**
 * The scheduler: moves scheduled jobs (delayed, or backing off before a retry) to queued when
 * their time comes. One timer, set for the earliest `runAt`; nothing runs while nothing is due.
 * @module
 */

/** Promotes due jobs; returns the next `runAt` still waiting, if any. */
export type PromoteDue = (now: number) => Promise<number | undefined>;

/**
 * @example
 * ```ts
 * import { Scheduler } from "./scheduler.ts";
 * const scheduler = new Scheduler(() => Promise.resolve(undefined));
 * scheduler.wakeAt(Date.now() + 1000);
 * scheduler.stop();
 * ```
 */
export class Scheduler {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #running = false;
  #again = false;
  #stopped = false;

  constructor(
    readonly promoteDue: PromoteDue,
    readonly now: () => number = Date.now,
    readonly onError: (error: unknown) => void = (error) =>
      console.error("Scheduler failed to promote jobs:", error),
  ) {}

  /** Makes sure the scheduler runs no later than `at` (epoch ms). */
  wakeAt(at: number): void {
    if (this.#stopped || at >= this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    // setTimeout's ceiling is 2^31-1 ms; a later wake-up re-arms itself when it fires.
    const wait = Math.min(Math.max(0, at - this.now()), 2_147_483_647);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#run();
    }, wait);
  }

  /** Cancels the timer; later wake-ups are ignored. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        const next = await this.promoteDue(this.now());
        if (next !== undefined) this.wakeAt(next);
      } while (this.#again && !this.#stopped);
    } catch (error) {
      this.onError(error);
      // Try again shortly rather than leave due jobs stranded.
      this.wakeAt(this.now() + 1000);
    } finally {
      this.#running = false;
    }
  }
}
