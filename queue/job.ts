/**
 * The job model: what a job is, what each attempt records, and the options a producer may set.
 * @module
 */

import type { BackoffPolicy } from "./backoff.ts";
import type { JobStatus } from "./lifecycle.ts";

/** How an attempt ended. `interrupted` is an attempt whose worker or process died. */
export type AttemptOutcome = "completed" | "failed" | "timeout" | "cancelled" | "interrupted";

/** One run of a job's handler. */
export interface Attempt {
  /** 1 for the first run, 2 for the first retry, and so on. */
  number: number;
  /** Epoch milliseconds when the worker was handed the job. */
  startedAt: number;
  /** Epoch milliseconds when the attempt ended; absent while it runs. */
  endedAt?: number;
  /** Which worker ran it, e.g. `w3`. */
  workerId: string;
  outcome?: AttemptOutcome;
  /** The error message, when the attempt did not complete. */
  error?: string;
  /** The error's stack, trimmed to a few frames. */
  stack?: string;
}

/** A line a handler wrote with `ctx.log()`. */
export interface JobLog {
  at: number;
  attempt: number;
  message: string;
}

/** A job as the store keeps it. Timestamps are epoch milliseconds. */
export interface Job {
  id: string;
  /** Monotonic insertion number: orders listings and serves as the paging cursor. */
  seq: number;
  type: string;
  payload: unknown;
  status: JobStatus;
  /** Attempts allowed in all, the first run included. */
  maxAttempts: number;
  /** Milliseconds an attempt may run before its signal aborts. */
  timeout: number;
  backoff: BackoffPolicy;
  createdAt: number;
  /** When a `scheduled` job becomes `queued`; for other states, when it last became runnable. */
  runAt: number;
  updatedAt: number;
  finishedAt?: number;
  /** 0–100, as last reported by the handler. */
  progress: number;
  attempts: Attempt[];
  logs: JobLog[];
  result?: unknown;
  /** The last error, for failed, retrying and cancelled jobs. */
  error?: string;
  /** For a manual retry: the id of the job it retries. */
  retryOf?: string;
  /** For a failed or cancelled job retried by hand: the id of its copy (once only). */
  retriedBy?: string;
  /** While `in-progress`: the process that runs it, renewed until `leaseExpiresAt`. */
  leaseOwner?: string;
  /** While `in-progress`: past this (epoch ms) the job is rescued as interrupted. */
  leaseExpiresAt?: number;
  /**
   * While `in-progress`: the token of the current attempt, new at every claim. A write of an
   * attempt (its outcome, a renewal) carries it and is refused once another attempt began.
   */
  leaseToken?: string;
}

/** Options a producer may set per job; unset ones come from the job type. */
export interface JobOptions {
  maxAttempts?: number;
  timeout?: number;
  /** Milliseconds to wait before the first run. */
  delay?: number;
  backoff?: Partial<BackoffPolicy>;
}

/** A request to enqueue one job. */
export interface NewJob {
  type: string;
  payload: unknown;
  options?: JobOptions;
  /** Set by a manual retry: the id of the job this one retries. */
  retryOf?: string;
}

/** Keeps at most this many log lines per job; older ones are dropped. */
export const MAX_LOGS_PER_JOB = 100;

/** A log line is cut to this many characters. */
export const MAX_LOG_LINE_LENGTH = 2_000;

/** Trims a stack to its message line and the first few frames. */
export function trimStack(stack: string | undefined, frames = 6): string | undefined {
  if (stack === undefined) return undefined;
  return stack.split("\n").slice(0, frames + 1).join("\n");
}
