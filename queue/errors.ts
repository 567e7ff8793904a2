/**
 * Errors the domain raises, each with a stable code the API maps to a status.
 * @module
 */

/** Throw from a handler to fail the job at once, with no further retries. */
export class UnrecoverableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnrecoverableError";
  }
}

/** The queue stayed full for the whole wait. */
export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("The queue is full; try again later");
    this.name = "QueueFullError";
  }
}

/** The caller gave up (its signal aborted) while the enqueue waited for room; nothing was stored. */
export class EnqueueAbortedError extends Error {
  constructor(cause: unknown) {
    super("The enqueue was abandoned while waiting for room", { cause });
    this.name = "EnqueueAbortedError";
  }
}

/** The service is shutting down and takes no new work. */
export class ShuttingDownError extends Error {
  constructor() {
    super("The service is shutting down");
    this.name = "ShuttingDownError";
  }
}

/** Which kind of input was refused. */
export type ValidationCode =
  | "invalid_request"
  | "unknown_type"
  | "invalid_payload"
  | "invalid_options";

/** Input that names an unknown type or fails a schema. `field` is a dotted path. */
export class ValidationError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
    readonly code: ValidationCode = "invalid_request",
  ) {
    super(message);
    this.name = "ValidationError";
  }
}

/** No job with that id. */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`No job with id ${jobId}`);
    this.name = "JobNotFoundError";
  }
}

/** The job's state does not allow the operation (e.g. retrying a completed job). */
export class JobStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobStateError";
  }
}

/** Why `ctx.enqueue` was refused: a validation code, or one of the queue's refusals. */
export type EnqueueErrorCode =
  | ValidationCode
  | "queue_full"
  | "shutting_down"
  | "payload_too_large"
  | "too_many_requests"
  | "enqueue_failed";

/**
 * A handler's `ctx.enqueue` was refused; nothing was stored. `field` names the bad input (e.g.
 * `payload.to`), `retryAfterSeconds` comes with `queue_full`.
 */
export class EnqueueError extends Error {
  constructor(
    message: string,
    readonly code: EnqueueErrorCode,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "EnqueueError";
  }
}
