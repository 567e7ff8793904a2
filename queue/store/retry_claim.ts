/**
 * What every driver checks when it inserts a manual retry: the original may be retried once,
 * and only from a final state that allows it; the copy is recorded on it in the same write.
 * @module
 */

import { JobNotFoundError, JobStateError } from "../errors.ts";
import type { Job } from "../job.ts";

/**
 * Throws why `original` (looked up as `id`) cannot take the copy `copyId`, or returns quietly.
 *
 * @example
 * ```ts ignore
 * assertRetryable(copy.retryOf, await find(copy.retryOf), copy.id);
 * ```
 */
export function assertRetryable(id: string, original: Job | undefined, copyId: string): void {
  if (original === undefined) throw new JobNotFoundError(id);
  if (original.retriedBy !== undefined && original.retriedBy !== copyId) {
    throw new JobStateError(`Job ${id} was already retried as job ${original.retriedBy}`);
  }
  if (original.status !== "failed" && original.status !== "cancelled") {
    throw new JobStateError(
      `Only failed or cancelled jobs can be retried; job ${id} is ${original.status}`,
    );
  }
}
