/**
 * One timer set for the earliest time something is due: a task runs then, never overlapping
 * itself, and says when it is due next. Nothing runs while nothing is due.
 * @module
 */

import { defaultLogger } from "./logger.ts";

/** Does what is due at `now`; returns when something is due next, if ever. */
export type WakeTask = (now: number) => Promise<number | undefined>;

/**
 * @example
 * ```ts
 * import { WakeTimer } from "./wake_timer.ts";
 * const timer = new WakeTimer(() => Promise.resolve(undefined));
 * timer.wakeAt(Date.now() + 1000);
 * timer.stop();
 * ```
 */
export class WakeTimer {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #running = false;
  #again = false;
  #stopped = false;

  constructor(
    readonly task: WakeTask,
    readonly now: () => number = Date.now,
    readonly onError: (error: unknown) => void = (error) =>
      defaultLogger().error("WakeTimer task failed", { error }),
  ) {}

  /** Makes sure the task runs no later than `at` (epoch ms). */
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

  /** Takes wake-ups again after {@linkcode stop}. */
  resume(): void {
    this.#stopped = false;
  }

  /** Cancels the timer; later wake-ups are ignored until {@linkcode resume}. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
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
        const next = await this.task(this.now());
        if (next !== undefined) this.wakeAt(next);
      } while (this.#again && !this.#stopped);
    } catch (error) {
      this.onError(error);
      // Try again shortly rather than leave what is due stranded.
      this.wakeAt(this.now() + 1000);
    } finally {
      this.#running = false;
    }
  }
}
