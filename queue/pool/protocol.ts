/**
 * The closed set of messages between the pool (main thread) and a worker.
 * @module
 */

import type { EnqueueErrorCode, ValidationCode } from "../errors.ts";
import type { PayloadCheck, TypeDescription } from "../handlers/job_types.ts";
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

/** What a worker needs before it takes jobs (its entry names the handler modules it loads). */
export interface WorkerSettings {
  /** The job types it runs; it refuses any other. */
  types: string[];
  /** Jobs it runs at once; those it is handed beyond wait in its own queue, first in first out. */
  concurrency: number;
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

/** A user job type as the catalog worker describes it, with the module that defines it. */
export interface TypeSpec extends TypeDescription {
  module: string;
}

/**
 * A payload check as the catalog worker answers it: the payload as its schema parsed it, or a
 * `ValidationError`, taken apart.
 */
export type CheckAnswer =
  | { ok: true; payload?: unknown }
  | {
    ok: false;
    code: ValidationCode;
    message: string;
    field: string;
    details?: Record<string, unknown>;
  };

/**
 * The payloads of one enqueue, for the catalog worker to check. Those of a turn go together,
 * and as JSON text both ways (`check` and `checked`): cheaper to copy than objects, and what
 * comes back is JSON, as the store keeps it, whatever handler code made the worker send.
 */
export interface CheckRequest {
  requestId: number;
  items: PayloadCheck[];
}

/**
 * Main thread → worker. A job worker gets `init`, then `run`, `abort`, `recall`, `standing` and
 * `enqueued`; the catalog worker gets `describe`, then `check`. In a `run`, the first `startNow`
 * jobs have places free (the pool counts them as started): they start at once, unreported; the
 * others wait their turn in the worker, which reports each start. `startBefore` (epoch ms): the
 * worker starts none of those waiting from then on, until a `standing` moves it later (its node
 * may be presumed dead meanwhile, its jobs rescued; `Infinity` alone on a store). `recall`: the
 * worker gives back every job waiting in it (as `unstarted`).
 */
export type ToWorker =
  | ({ kind: "init" } & WorkerSettings)
  | { kind: "describe" }
  | { kind: "check"; requests: string }
  | { kind: "run"; jobs: WorkerJob[]; startNow: number; startBefore: number }
  | { kind: "abort"; jobId: string; reason: AbortReason }
  | { kind: "recall" }
  | { kind: "standing"; startBefore: number }
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

/** A job the worker started, and when (epoch ms). */
export interface JobStart {
  jobId: string;
  at: number;
}

/**
 * Worker → main thread. Outcomes, progress and log lines travel together in batches, with the
 * jobs started since the last one (sent before their handlers run) and those given back
 * unstarted (recalled, or aborted before they started). `lifeline`:
 * the worker holds its lifeline lock; `enqueue`: handlers' `ctx.enqueue` calls, gathered;
 * `ending`: handler code is ending the worker, and why.
 */
export type FromWorker =
  | { kind: "lifeline" }
  | { kind: "ready"; types: string[] }
  | { kind: "described"; types: TypeSpec[] }
  | { kind: "checked"; answers: string }
  | { kind: "init-failed"; error: string }
  | {
    kind: "batch";
    started: JobStart[];
    unstarted: string[];
    outcomes: JobOutcome[];
    progress: { jobId: string; value: number }[];
    logs: { jobId: string; message: string }[];
  }
  | { kind: "enqueue"; requests: EnqueueRequest[] }
  | { kind: "ending"; reason: string };
