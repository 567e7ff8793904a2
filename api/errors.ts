/**
 * One error shape for every answer: `{ "error": { "code", "message", "requestId"?, "details"? } }`,
 * and the mapping from domain errors to HTTP statuses.
 * @module
 */

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  EnqueueAbortedError,
  JobNotFoundError,
  JobStateError,
  QueueFullError,
  ShuttingDownError,
  ValidationError,
} from "../queue/errors.ts";
import { IllegalTransitionError } from "../queue/lifecycle.ts";
import { defaultLogger, type LogFields, type Logger } from "../queue/primitives/logger.ts";
import { StoreWriteError } from "../queue/store/errors.ts";
import { requestIdOf } from "./request_id.ts";

/** An error the API answers with as it is. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    /** The request's `X-Request-Id`, to find its lines in the server's log. */
    requestId?: string;
    details?: Record<string, unknown>;
  };
}

/**
 * Maps any thrown value to an `HttpError`. Those that are the server's trouble, not the
 * client's (storage unavailable; anything unexpected, which becomes a 500), are logged on
 * `logger` with `fields` (the request id).
 */
export function toHttpError(
  error: unknown,
  logger: Logger = defaultLogger(),
  fields?: LogFields,
): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ValidationError) {
    return new HttpError(400, error.code, error.message, {
      ...(error.field === undefined ? {} : { field: error.field }),
      ...error.details,
    });
  }
  if (error instanceof JobNotFoundError) return new HttpError(404, "not_found", error.message);
  if (error instanceof JobStateError || error instanceof IllegalTransitionError) {
    return new HttpError(409, "conflict", error.message);
  }
  if (error instanceof QueueFullError) {
    return new HttpError(503, "queue_full", error.message, undefined, {
      "Retry-After": String(error.retryAfterSeconds),
    });
  }
  if (error instanceof ShuttingDownError) {
    return new HttpError(503, "shutting_down", error.message, undefined, { "Retry-After": "5" });
  }
  if (error instanceof StoreWriteError) {
    logger.error(error.message, fields);
    return new HttpError(503, "storage_unavailable", error.message, undefined, {
      "Retry-After": "1",
    });
  }
  if (error instanceof EnqueueAbortedError) {
    // The client went away; nobody reads this answer, and it is no fault of the server.
    return new HttpError(499 as ContentfulStatusCode, "client_closed_request", error.message);
  }
  logger.error("Unexpected error while answering a request", { ...fields, error });
  return new HttpError(500, "internal", "Internal error; the server log has the details");
}

/** Answers with the error's status, headers and JSON body, which names the request's id. */
export function errorResponse(
  c: Context,
  error: unknown,
  logger: Logger = defaultLogger(),
): Response {
  const requestId = requestIdOf(c);
  const http = toHttpError(error, logger, { requestId });
  const body: ErrorBody = { error: { code: http.code, message: http.message } };
  if (requestId !== undefined) body.error.requestId = requestId;
  if (http.details !== undefined) body.error.details = http.details;
  for (const [name, value] of Object.entries(http.headers)) c.header(name, value);
  return c.json(body, http.status);
}
