/**
 * The typed in-process stream of job transitions, for the dashboard's live feed and metrics.
 * A plain listener set rather than `EventTarget`: it runs on the hot path of every job.
 * @module
 */

import type { Job } from "./job.ts";
import type { JobStatus } from "./lifecycle.ts";
import { defaultLogger, type Logger } from "./primitives/logger.ts";

/** One job transition. `job` is a snapshot taken when the event was emitted. */
export type JobEvent =
  | { type: "enqueued"; job: Job }
  | { type: "started"; job: Job }
  | { type: "progress"; jobId: string; progress: number }
  | { type: "log"; jobId: string; message: string }
  | { type: "completed"; job: Job }
  | { type: "failed"; job: Job }
  | { type: "retrying"; job: Job }
  | { type: "cancelled"; job: Job }
  | { type: "requeued"; job: Job }
  | { type: "deleted"; jobId: string }
  | { type: "cleared"; status?: JobStatus; count: number };

/** A function that receives events. */
export type JobEventListener = (event: JobEvent) => void;

/**
 * @example
 * ```ts
 * import { JobEvents } from "./events.ts";
 * const events = new JobEvents();
 * const off = events.on((e) => console.log(e.type));
 * off();
 * ```
 */
export class JobEvents {
  #listeners = new Set<JobEventListener>();
  #logger: Logger;

  /** `logger`: where a listener that throws is reported. Default: `defaultLogger()`. */
  constructor(options: { logger?: Logger } = {}) {
    this.#logger = options.logger ?? defaultLogger();
  }

  /** Adds a listener; returns the function that removes it. */
  on(listener: JobEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Whether anyone listens: lets emitters skip building events nobody reads. */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  /** Delivers an event to every listener. A listener that throws does not stop the others. */
  emit(event: JobEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener is a bug in that listener; report it and keep the queue running.
        this.#logger.error(`A JobEvents listener failed on ${event.type}`, {
          jobId: "job" in event ? event.job.id : "jobId" in event ? event.jobId : undefined,
          error,
        });
      }
    }
  }

  /** Resolves with the first event that matches, or rejects when the signal aborts. */
  waitFor(
    predicate: (event: JobEvent) => boolean,
    options: { signal?: AbortSignal } = {},
  ): Promise<JobEvent> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        off();
        reject(signal!.reason);
      };
      const off = this.on((event) => {
        if (!predicate(event)) return;
        off();
        signal?.removeEventListener("abort", onAbort);
        resolve(event);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
