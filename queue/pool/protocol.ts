/**
 * The closed set of messages between the pool (main thread) and a worker.
 * @module
 */

import type { EnqueueErrorCode } from "../errors.ts";
import type { JobStatus } from "../lifecycle.ts";

/** A job as a worker receives it. */
export interface WorkerJob {
  id: string;
  type: string;
  payload: unknown;
  attempt: number;
}

/** Why the pool aborts a running job's signal. */
export type AbortReason = "timeout" | "cancelled" | "shutdown";

/** What a worker needs before it takes jobs. */
export interface WorkerSettings {
  /** Handler modules to load. */
  modules: string[];
  /** Time scale of the demo job types. */
  demoSpeed: number;
  /** Largest result, in bytes of JSON; a larger one fails its attempt for good. */
  resultLimit: number;
  /** `--http-allow`: refused destinations the `http` job type may call all the same. */
  httpAllow: string[];
  /** The name of the lock the worker holds for its whole life (see `lifeline.ts`). */
  lifeline: string;
}

/** A handler's `ctx.enqueue`, as the worker asks the pool for it. */
export interface EnqueueRequest {
  /** Unique within the worker; the answer carries it back. */
  requestId: number;
  /** The job whose handler asks. */
  jobId: string;
  type: string;
  payload: unknown;
  options?: unknown;
}

/** How the pool answered an {@linkcode EnqueueRequest}. */
export type EnqueueAnswer =
  | { requestId: number; ok: true; id: string; status: JobStatus }
  | {
    requestId: number;
    ok: false;
    code: EnqueueErrorCode;
    message: string;
    field?: string;
    retryAfterSeconds?: number;
  };

/** Main thread → worker. */
export type ToWorker =
  | ({ kind: "init" } & WorkerSettings)
  | { kind: "run"; jobs: WorkerJob[] }
  | { kind: "abort"; jobId: string; reason: AbortReason }
  | { kind: "enqueued"; answers: EnqueueAnswer[] };

/** How one job ended inside the worker. */
export type JobOutcome =
  | { jobId: string; ok: true; result: unknown }
  | {
    jobId: string;
    ok: false;
    error: string;
    stack?: string;
    unrecoverable: boolean;
  };

/**
 * Worker → main thread. Outcomes, progress and log lines travel together in batches. `lifeline`:
 * the worker holds its lifeline lock; `enqueue`: handlers' `ctx.enqueue` calls, gathered;
 * `ending`: handler code is ending the worker, and why.
 */
export type FromWorker =
  | { kind: "lifeline" }
  | { kind: "ready"; types: string[] }
  | { kind: "init-failed"; error: string }
  | {
    kind: "batch";
    outcomes: JobOutcome[];
    progress: { jobId: string; value: number }[];
    logs: { jobId: string; message: string }[];
  }
  | { kind: "enqueue"; requests: EnqueueRequest[] }
  | { kind: "ending"; reason: string };
