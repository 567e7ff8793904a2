/**
 * A task run every `interval` ms, never overlapping itself, its errors reported, not thrown:
 * the shape of the queue's housekeeping services (lease renewal, rescue, cleaning).
 * @module
 */

import { defaultLogger } from "./logger.ts";

/**
 * The task gets a signal that aborts when the ticker stops, so a run of many steps can end
 * between two of them instead of holding `stop()` (and whatever closes after it) up.
 *
 * @example
 * ```ts
 * import { Ticker } from "./ticker.ts";
 * const ticker = new Ticker("cleaner", 60_000, async (signal) => {
 *   for (let step = 0; step < 3 && !signal.aborted; step++) await Promise.resolve(step);
 * });
 * ticker.start();
 * await ticker.runNow();
 * await ticker.stop();
 * ```
 */
export class Ticker {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #stopping = new AbortController();

  constructor(
    readonly name: string,
    readonly interval: number,
    readonly task: (signal: AbortSignal) => Promise<unknown>,
    readonly onError: (error: unknown) => void = (error) =>
      defaultLogger().error(`${name} failed`, { error }),
  ) {
    if (!Number.isFinite(interval) || interval < 1) {
      throw new RangeError(`interval must be a positive number of ms, received ${interval}`);
    }
  }

  start(): void {
    if (this.#timer !== undefined) return;
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    this.#timer = setInterval(() => this.runNow(), this.interval);
  }

  /** Runs the task now, unless a run is still going (then waits for that one). */
  runNow(): Promise<void> {
    this.#running ??= (async () => {
      try {
        await this.task(this.#stopping.signal);
      } catch (error) {
        this.onError(error);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Stops the timer, aborts the task's signal, and waits for a run in progress to end. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stopping.abort();
    await this.#running;
  }
}
