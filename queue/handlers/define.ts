/**
 * `defineHandler`: a job type with its payload schema, timeout, retry policy and `run`.
 * @module
 */

import type { z } from "zod";
import type { BackoffPolicy } from "../backoff.ts";
import type { JobOptions } from "../job.ts";
import type { JobStatus } from "../lifecycle.ts";
import { checkPermissions, type HandlerPermissions, type Permissions } from "./permissions.ts";

/** The job `ctx.enqueue` created. */
export interface EnqueuedJob {
  id: string;
  /** `queued`, or `scheduled` with a `delay`. */
  status: JobStatus;
}

/** What `run` receives besides the payload. */
export interface HandlerContext {
  /**
   * Aborts when the job times out, is cancelled, or the service's shutdown grace period runs
   * out while the job still runs.
   */
  signal: AbortSignal;
  /** 1 for the first run, 2 for the first retry, and so on. */
  attempt: number;
  jobId: string;
  /** Reports progress from 0 to 100; the dashboard shows it. */
  progress(value: number): void;
  /** Adds a line to the job's log. */
  log(message: string): void;
  /**
   * Enqueues another job through the worker's channel (no network permission needed), with the
   * API's validation, capacity and backpressure. Rejects with `EnqueueError` (its `code` and
   * `field` say why); nothing is stored then.
   */
  enqueue(type: string, payload: unknown, options?: JobOptions): Promise<EnqueuedJob>;
}

/** Retry policy for a job type; each field falls back to the service defaults. */
export interface RetryOptions {
  /** Attempts in all, the first run included. Default 3. */
  maxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
}

/** What a handler module declares. */
export interface HandlerSpec<S extends z.ZodType, R> {
  /** The job type, e.g. `email`: letters, digits, `-`, `_`, `.` and `:`. */
  type: string;
  /** Validates and types the payload at enqueue time. */
  payload: S;
  /** Milliseconds an attempt may run before its signal aborts. Default 30,000. */
  timeout?: number;
  retry?: RetryOptions;
  /** One line on what the job does, shown by `GET /api/types`. */
  description?: string;
  /** A valid payload, shown as the example for this type. */
  example?: z.input<S>;
  /**
   * What `run` may use: hosts, paths, environment variables, programs. Nothing declared,
   * nothing granted: the handler runs in a worker without environment, files, network or
   * subprocesses. Types that declare the same permissions share workers.
   */
  permissions?: HandlerPermissions;
  /** Does the work. The returned value (structured-cloneable) becomes the job's result. */
  run(payload: z.output<S>, ctx: HandlerContext): R | Promise<R>;
}

const HANDLER_BRAND = Symbol.for("denoqueue.handler");

/** A handler as `defineHandler` returns it: its permissions in canonical form. */
// deno-lint-ignore no-explicit-any
export type Handler = Omit<HandlerSpec<z.ZodType, any>, "permissions"> & {
  readonly permissions: Permissions;
  readonly [HANDLER_BRAND]: true;
};

/** Default milliseconds an attempt may run. */
export const DEFAULT_TIMEOUT = 30_000;

/** What a job type's name may be: letters, digits, `.`, `_`, `:` and `-`, 100 at most. */
export const TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

/**
 * Declares a job type. Export the result (or an array of them) from a handler module.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineHandler } from "./define.ts";
 *
 * export const welcome = defineHandler({
 *   type: "welcome-email",
 *   payload: z.object({ to: z.email() }),
 *   timeout: 10_000,
 *   permissions: { net: ["api.example.com"], env: ["MAIL_API_KEY"] },
 *   run: (payload, ctx) => {
 *     ctx.log(`sending to ${payload.to}`);
 *     return { sent: true };
 *   },
 * });
 * ```
 */
export function defineHandler<S extends z.ZodType, R>(spec: HandlerSpec<S, R>): Handler {
  if (typeof spec.type !== "string" || !TYPE_PATTERN.test(spec.type)) {
    throw new TypeError(
      `type must match ${TYPE_PATTERN} (letters, digits, '.', '_', ':', '-'), received ${
        JSON.stringify(spec.type)
      }`,
    );
  }
  if (spec.timeout !== undefined && (!Number.isInteger(spec.timeout) || spec.timeout < 1)) {
    throw new RangeError(
      `timeout of ${spec.type} must be a positive integer of ms, received ${spec.timeout}`,
    );
  }
  const attempts = spec.retry?.maxAttempts;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1)) {
    throw new RangeError(
      `retry.maxAttempts of ${spec.type} must be a positive integer, received ${attempts}`,
    );
  }
  if (typeof spec.run !== "function") {
    throw new TypeError(`run of ${spec.type} must be a function`);
  }
  const permissions = checkPermissions(spec.type, spec.permissions);
  return { ...spec, permissions, [HANDLER_BRAND]: true } as Handler;
}

/** Whether a value was made by `defineHandler` (in any copy of this module). */
export function isHandler(value: unknown): value is Handler {
  return typeof value === "object" && value !== null && HANDLER_BRAND in value;
}
