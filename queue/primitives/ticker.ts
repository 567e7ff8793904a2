/**
 * A task run every `interval` ms, never overlapping itself, its errors reported, not thrown:
 * the shape of the queue's housekeeping services (lease renewal, rescue, cleaning).
 * @module
 */

/**
 * @example
 * ```ts
 * import { Ticker } from "./ticker.ts";
 * const ticker = new Ticker("cleaner", 60_000, async () => {});
 * ticker.start();
 * ticker.stop();
 * ```
 */
export class Ticker {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly interval: number,
    readonly task: () => Promise<unknown>,
    readonly onError: (error: unknown) => void = (error) => console.error(`${name} failed:`, error),
  ) {
    if (!Number.isFinite(interval) || interval < 1) {
      throw new RangeError(`interval must be a positive number of ms, received ${interval}`);
    }
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.runNow(), this.interval);
  }

  /** Runs the task now, unless a run is still going (then waits for that one). */
  runNow(): Promise<void> {
    this.#running ??= (async () => {
      try {
        await this.task();
      } catch (error) {
        this.onError(error);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
