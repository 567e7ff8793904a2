/**
 * The job lifecycle as data: the states, who moves a job out of each, and the one table of
 * allowed transitions that every change of status goes through.
 * @module
 */

/** Every state a job can be in. */
export const JOB_STATUSES = [
  "queued",
  "scheduled",
  "in-progress",
  "completed",
  "failed",
  "cancelled",
] as const;

/**
 * - `queued`: ready to run; the pool claims it.
 * - `scheduled`: waiting for `runAt` (a delay, or backoff before a retry); the scheduler queues it.
 * - `in-progress`: a worker runs it; the pool completes, fails or retries it.
 * - `completed`, `failed`, `cancelled`: final, never change again.
 */
export type JobStatus = typeof JOB_STATUSES[number];

/** States from which a job never moves. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);

const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  // queued → in-progress when claimed; → cancelled by a user.
  "queued": ["in-progress", "cancelled"],
  // scheduled → queued when due; → cancelled by a user.
  "scheduled": ["queued", "cancelled"],
  // in-progress → queued when put back without losing the attempt (worker replaced, shutdown);
  // → scheduled to retry after backoff; → a final state.
  "in-progress": ["queued", "scheduled", "completed", "failed", "cancelled"],
  "completed": [],
  "failed": [],
  "cancelled": [],
};

/** Whether a job may move from `from` to `to`. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Thrown when code asks for a move the lifecycle does not allow. */
export class IllegalTransitionError extends Error {
  constructor(readonly jobId: string, readonly from: JobStatus, readonly to: JobStatus) {
    super(`Job ${jobId} cannot move from ${from} to ${to}`);
    this.name = "IllegalTransitionError";
  }
}

/**
 * Checks a move against the table and throws {@linkcode IllegalTransitionError} if refused.
 *
 * @example
 * ```ts
 * import { assertTransition } from "./lifecycle.ts";
 * assertTransition("j1", "queued", "in-progress"); // fine
 * ```
 */
export function assertTransition(jobId: string, from: JobStatus, to: JobStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(jobId, from, to);
}

/** Whether a job in this state still counts against the queue's capacity. */
export function isUnfinished(status: JobStatus): boolean {
  return !FINAL_STATUSES.has(status);
}
