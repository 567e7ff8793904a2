/**
 * Writes what the pool learns about its attempts to the queue (outcomes, jobs put back) without
 * holding up the worker messages they come from, and knows which writes are still on their way,
 * so that the pool can close only once they have landed.
 * @module
 */

import type { AttemptReport } from "../attempts/settle.ts";
import type { Job } from "../job.ts";
import { jobFields } from "../log_fields.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";

/** The queue's side of it. */
export interface OutcomeSink {
  finish(reports: AttemptReport[]): Promise<unknown>;
  requeue(jobs: Job[], options?: { delayMs?: number }): Promise<void>;
}

/**
 * @example
 * ```ts ignore
 * const recorder = new OutcomeRecorder(queue);
 * recorder.report([{ job, outcome: "completed", result: 1 }]);
 * await recorder.settled();
 * ```
 */
export class OutcomeRecorder {
  #sink: OutcomeSink;
  #pending = new Set<Promise<unknown>>();
  #logger: Logger;

  constructor(sink: OutcomeSink, logger: Logger = defaultLogger()) {
    this.#sink = sink;
    this.#logger = logger;
  }

  /** Records how attempts ended (the retry policy applies). */
  report(reports: AttemptReport[]): void {
    if (reports.length === 0) return;
    this.#track(this.#sink.finish(reports), "record job outcomes", reports.map((r) => r.job));
  }

  /** Puts jobs back without losing an attempt: queued, or scheduled `delayMs` later. */
  putBack(jobs: Job[], options?: { delayMs?: number }): void {
    if (jobs.length === 0) return;
    this.#track(this.#sink.requeue(jobs, options), "put jobs back", jobs);
  }

  /** Resolves once every write started so far has landed (or failed, and been logged). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  #track(write: Promise<unknown>, what: string, jobs: Job[]): void {
    const tracked = write.then(
      () => {},
      (error) => this.#logger.error(`Worker pool failed to ${what}`, { ...jobFields(jobs), error }),
    ).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }
}
