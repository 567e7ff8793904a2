/**
 * Applies a live feed event to a job the dashboard already shows, so its status, attempt and
 * progress change in place before (or instead of) a refetch.
 * @module
 */

/// <reference lib="dom" />

import { type FeedEvent, FINAL_STATUSES, type JobSummary } from "./api_types.ts";

/**
 * A copy of `job` with what `event` says about it.
 *
 * @example
 * ```ts ignore
 * const updated = applyFeedEvent(job, { event: "progress", id: job.id, progress: 50, at: 0 });
 * ```
 */
export function applyFeedEvent<T extends JobSummary>(job: T, event: FeedEvent): T {
  // A final job never changes: an event that says otherwise is older than what we show.
  if (FINAL_STATUSES.has(job.status)) return job;
  const next = { ...job, updatedAt: event.at };
  if (event.status !== undefined) next.status = event.status;
  if (event.attempt !== undefined) next.attempt = event.attempt;
  if (event.progress !== undefined) next.progress = event.progress;
  if (event.error !== undefined) next.error = event.error;
  return next;
}
