/**
 * Manual retry: a failed or cancelled job is run again as a new job that points back to it
 * (`retryOf`), as GoQueue did; the original keeps its history.
 * @module
 */

import type { Capacity } from "../enqueue/capacity.ts";
import type { EnqueueOptions, Enqueuer } from "../enqueue/enqueuer.ts";
import { JobNotFoundError, JobStateError, QueueFullError } from "../errors.ts";
import { assertRetryable } from "../store/retry_claim.ts";
import type { Job } from "../job.ts";
import type { JobStore } from "../store/job_store.ts";

/** What a {@linkcode ManualRetry} works with. */
export interface ManualRetryDeps {
  store: JobStore;
  enqueuer: Enqueuer;
  capacity: Capacity;
}

/**
 * @example
 * ```ts ignore
 * const retries = new ManualRetry({ store, enqueuer, capacity });
 * const copy = await retries.retry(failedJobId);
 * ```
 */
export class ManualRetry {
  #deps: ManualRetryDeps;

  constructor(deps: ManualRetryDeps) {
    this.#deps = deps;
  }

  /**
   * Creates a new job from a failed or cancelled one, pointing back with `retryOf`; the
   * original records it (`retriedBy`). A job is retried once: again, or by two callers at
   * once, it is `JobStateError` naming the copy.
   */
  async retry(id: string, options: Pick<EnqueueOptions, "signal"> = {}): Promise<Job> {
    const original = await this.#deps.store.get({ id });
    // Checked here to answer without waiting for room; the store checks again as it writes.
    assertRetryable(id, original, "");
    const [job] = await this.#deps.enqueuer.enqueue([{
      type: original!.type,
      payload: original!.payload,
      options: {
        maxAttempts: original!.maxAttempts,
        timeout: original!.timeout,
        backoff: original!.backoff,
      },
      retryOf: id,
    }], options);
    return job;
  }

  /**
   * Retries every job in `status` (`failed` or `cancelled`) that has not been retried yet,
   * oldest first, until the queue is full. Returns how many were retried and how many remain.
   */
  async retryAll(status: "failed" | "cancelled"): Promise<{ retried: number; remaining: number }> {
    const retriedAlready = new Set<string>();
    const candidates: string[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await this.#deps.store.list({ limit: 1000, beforeSeq });
      if (page.length === 0) break;
      for (const job of page) {
        // Jobs retried before originals recorded their copy are known by the copy's retryOf.
        if (job.retryOf !== undefined) retriedAlready.add(job.retryOf);
        if (job.status === status && job.retriedBy === undefined) candidates.push(job.id);
      }
      beforeSeq = page[page.length - 1].seq;
    }
    const pending = candidates.reverse().filter((id) => !retriedAlready.has(id));
    let retried = 0;
    // Gone, or retried by someone else meanwhile: neither done here nor left to do.
    let skipped = 0;
    for (const id of pending) {
      if (!this.#deps.capacity.hasRoom()) break;
      try {
        await this.retry(id);
        retried++;
      } catch (error) {
        if (error instanceof JobNotFoundError || error instanceof JobStateError) {
          skipped++;
          continue;
        }
        if (error instanceof QueueFullError) break;
        throw error;
      }
    }
    return { retried, remaining: pending.length - retried - skipped };
  }
}
