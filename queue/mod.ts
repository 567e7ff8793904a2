/**
 * What a handler module imports: `defineHandler`, `UnrecoverableError`, `EnqueueError` (what
 * `ctx.enqueue` rejects with) and `z` (zod) for payload schemas. To run DenoQueue inside your own program, see `api/server.ts`.
 * @module
 */

export { z } from "zod";
export { defineHandler } from "./handlers/define.ts";
export type {
  EnqueuedJob,
  Handler,
  HandlerContext,
  HandlerSpec,
  RetryOptions,
} from "./handlers/define.ts";
export type { Grant, HandlerPermissions } from "./handlers/permissions.ts";
export { EnqueueError, UnrecoverableError } from "./errors.ts";
export type { EnqueueErrorCode } from "./errors.ts";
export type { Attempt, Job, JobOptions, NewJob } from "./job.ts";
export type { JobStatus } from "./lifecycle.ts";
export type { BackoffPolicy } from "./backoff.ts";
