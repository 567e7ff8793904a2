/**
 * Writes what the pool learns about its attempts to the queue (outcomes, jobs put back) without
 * holding up the worker messages they come from, and knows which writes are still on their way,
 * so that the pool can close only once they have landed. A write the database cannot take for
 * now (unavailable: a restart, a lost connection) is tried again for up to a lease: an outcome
 * lost there would cost its job an attempt (rescued as interrupted) though its handler ran.
 * @module
 */

import type { AttemptReport } from "../attempts/settle.ts";
import type { Job } from "../job.ts";
import { jobFields } from "../log_fields.ts";
import { delay } from "../primitives/delay.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { StoreUnavailableError } from "../store/errors.ts";

/** The queue's side of it. */
export interface OutcomeSink {
  finish(reports: AttemptReport[]): Promise<unknown>;
  requeue(jobs: Job[], options?: { delayMs?: number }): Promise<void>;
}

/** Options for {@linkcode OutcomeRecorder}. */
export interface OutcomeRecorderOptions {
  /** Where a write that failed for good is logged. Default: `defaultLogger()`. */
  logger?: Logger;
  /**
   * Milliseconds a write refused as unavailable is tried again: the lease, after which the
   * attempt is the rescuer's. Default 30,000.
   */
  retryForMs?: number;
}

/** Milliseconds before the next try of a write, after `tries` refused: 50 doubling to 1,000. */
export function retryDelay(tries: number): number {
  return Math.min(50 * 2 ** tries, 1_000);
}

/**
 * @example
 * ```ts ignore
 * const recorder = new OutcomeRecorder(queue, { retryForMs: queue.leaseMs });
 * recorder.report([{ job, outcome: "completed", result: 1 }]);
 * await recorder.settled();
 * ```
 */
export class OutcomeRecorder {
  #sink: OutcomeSink;
  #pending = new Set<Promise<unknown>>();
  #logger: Logger;
  #retryForMs: number;
  /** Ends the waits between tries: once closing, a write gets one more try, then gives up. */
  #closing = new AbortController();

  constructor(sink: OutcomeSink, options: OutcomeRecorderOptions = {}) {
    this.#sink = sink;
    this.#logger = options.logger ?? defaultLogger();
    this.#retryForMs = options.retryForMs ?? 30_000;
  }

  /** Records how attempts ended (the retry policy applies). */
  report(reports: AttemptReport[]): void {
    if (reports.length === 0) return;
    this.#track(() => this.#sink.finish(reports), "record job outcomes", reports.map((r) => r.job));
  }

  /** Puts jobs back without losing an attempt: queued, or scheduled `delayMs` later. */
  putBack(jobs: Job[], options?: { delayMs?: number }): void {
    if (jobs.length === 0) return;
    this.#track(() => this.#sink.requeue(jobs, options), "put jobs back", jobs);
  }

  /** Resolves once every write started so far has landed (or failed, and been logged). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /**
   * Like {@linkcode settled}, but a write waiting to be tried again after the database was
   * unavailable gets one more try now, and is dropped if that fails too (its job is rescued).
   */
  close(): Promise<void> {
    this.#closing.abort();
    return this.settled();
  }

  #track(write: () => Promise<unknown>, what: string, jobs: Job[]): void {
    const tracked = this.#tried(write, what, jobs).then(
      () => {},
      (error) => this.#logger.error(`Worker pool failed to ${what}`, { ...jobFields(jobs), error }),
    ).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** `write`, tried again while the database is unavailable, for up to `retryForMs`. */
  async #tried(write: () => Promise<unknown>, what: string, jobs: Job[]): Promise<void> {
    const until = Date.now() + this.#retryForMs;
    for (let tries = 0;; tries++) {
      try {
        await write();
        return;
      } catch (error) {
        const closing = this.#closing.signal;
        if (!(error instanceof StoreUnavailableError) || closing.aborted || Date.now() >= until) {
          throw error;
        }
        if (tries === 0) {
          this.#logger.warn(
            `Worker pool could not ${what} yet (the database is unavailable); trying again`,
            { ...jobFields(jobs), error },
          );
        }
        // Closing ends the wait early: one more try, then the write gives up.
        await delay(Math.max(0, Math.min(retryDelay(tries), until - Date.now())), {
          signal: closing,
        }).catch(() => {});
      }
    }
  }
}
