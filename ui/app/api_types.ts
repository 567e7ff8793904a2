/**
 * The shapes the DenoQueue REST API and live feed answer with, as the dashboard reads them.
 * @module
 */

/// <reference lib="dom" />

/** Every state a job can be in, in lifecycle order. */
export const JOB_STATUSES = [
  "queued",
  "scheduled",
  "in-progress",
  "completed",
  "failed",
  "cancelled",
] as const;

/** A job's state. */
export type JobStatus = typeof JOB_STATUSES[number];

/** States a job never leaves. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["completed", "failed", "cancelled"]);

/** Exponential backoff: `base` ms × `factor` per retry, at most `cap` ms. */
export interface Backoff {
  base: number;
  factor: number;
  cap: number;
}

/** A job as `GET /api/jobs` lists it. */
export interface JobSummary {
  id: string;
  type: string;
  status: JobStatus;
  payload: unknown;
  /** Attempts started so far. */
  attempt: number;
  maxAttempts: number;
  timeout: number;
  backoff: Backoff;
  progress: number;
  result?: unknown;
  error?: string;
  retryOf?: string;
  createdAt: string;
  updatedAt: string;
  runAt: string;
  finishedAt?: string;
}

/** How an attempt ended; `interrupted` means its worker died. */
export type AttemptOutcome = "completed" | "failed" | "timeout" | "cancelled" | "interrupted";

/** One run of a job's handler. */
export interface Attempt {
  number: number;
  workerId: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  outcome?: AttemptOutcome;
  error?: string;
  stack?: string;
}

/** A line the handler wrote with `ctx.log()`. */
export interface JobLog {
  at: string;
  attempt: number;
  message: string;
}

/** A job as `GET /api/jobs/:id` shows it. */
export interface JobDetail extends JobSummary {
  attempts: Attempt[];
  logs: JobLog[];
}

/** A count for every status. */
export type StatusCounts = Record<JobStatus, number>;

/** Recent attempts of one type: durations in ms and the share that failed. */
export interface TypeMetric {
  samples: number;
  meanMs: number;
  p95Ms: number;
  /** 0 to 1. */
  failureRate: number;
}

/** `GET /api/stats`, and the live feed's `stats` event. */
export interface Stats {
  byStatus: StatusCounts;
  byType: Record<string, StatusCounts>;
  capacity: { limit: number; used: number; waiting: number };
  throughput: {
    completedPerSecond: number;
    failedPerSecond: number;
    windowSeconds: number;
    /** Jobs finished in each second, oldest first. */
    series: { completed: number[]; failed: number[] };
  };
  types: Record<string, TypeMetric>;
  workers: { size: number; concurrency: number; busy: number; idle: number; running: number };
}

/** One entry of `GET /api/types`. */
export interface TypeDescription {
  type: string;
  description?: string;
  timeout: number;
  retry: { maxAttempts: number; backoff: Backoff };
  payloadSchema: unknown;
  example?: unknown;
}

/** What happened to a job, as the live feed names it. */
export type FeedEventName =
  | "enqueued"
  | "started"
  | "progress"
  | "log"
  | "completed"
  | "failed"
  | "retrying"
  | "cancelled"
  | "requeued"
  | "deleted";

/** One job transition from the live feed's `jobs` event. `at` is epoch ms. */
export interface FeedEvent {
  event: FeedEventName;
  id: string;
  type?: string;
  status?: JobStatus;
  attempt?: number;
  progress?: number;
  error?: string;
  at: number;
}

/** The live feed's `summary` event: a burst too large to send event by event. */
export interface FeedSummary {
  counts: Partial<Record<FeedEventName, number>>;
  total: number;
  sample: FeedEvent[];
}

/** Per-job options a producer may set at enqueue. */
export interface JobOptionsInput {
  maxAttempts?: number;
  timeout?: number;
  delay?: number;
  backoff?: Partial<Backoff>;
}
