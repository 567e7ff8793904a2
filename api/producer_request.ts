/**
 * A producer socket's requests as they arrive: `{ "ref": 1, "job": {…} }` or
 * `{ "ref": 2, "jobs": [{…}, …] }`, checked; and the error answer, in the HTTP API's shape and
 * status, with the request's field names as the message spells them.
 * @module
 */

import { ValidationError } from "../queue/errors.ts";
import type { NewJob } from "../queue/job.ts";
import type { Logger } from "../queue/primitives/logger.ts";
import { HttpError, toHttpError } from "./errors.ts";
import { parseJobInput, parseJobsInput } from "./job_input.ts";
import type { ProducerErrorAnswer } from "./producer_protocol.ts";

/** The longest `ref` string a request may carry. */
const MAX_REF_LENGTH = 200;

/** A request's reference, `null` when it could not be read. */
export type Ref = string | number | null;

/** One parsed request: its reference and the jobs it asks for. */
export interface ProducerRequest {
  ref: Ref;
  jobs: NewJob[];
  batch: boolean;
}

function invalid(message: string, field: string): HttpError {
  return new HttpError(400, "invalid_request", message, { field });
}

/** The `ref` of a message that may be malformed, or `null` when it has no usable one. */
export function refOf(message: unknown): Ref {
  if (typeof message !== "object" || message === null || !("ref" in message)) return null;
  const { ref } = message;
  if (typeof ref === "number" && Number.isFinite(ref)) return ref;
  if (typeof ref === "string" && ref.length <= MAX_REF_LENGTH) return ref;
  return null;
}

/** Checks a parsed message: a `ref` and exactly one of `job` and `jobs`, nothing else. */
export function parseProducerRequest(message: unknown): ProducerRequest {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    throw invalid('A message is an object: { "ref": 1, "job": { "type": … } }', "message");
  }
  const ref = refOf(message);
  if (ref === null) {
    throw invalid(
      `ref must be a number or a string of up to ${MAX_REF_LENGTH} characters`,
      "ref",
    );
  }
  const record = message as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "ref" && key !== "job" && key !== "jobs") {
      throw invalid(`Unknown field ${JSON.stringify(key)}: send ref and job or jobs`, key);
    }
  }
  if (("job" in record) === ("jobs" in record)) {
    throw invalid("Send exactly one of job (one job) and jobs (an array)", "job");
  }
  if ("job" in record) {
    if (Array.isArray(record.job)) throw invalid("job is one object; send arrays as jobs", "job");
    return { ref, jobs: [parseJobInput(record.job, "job.")], batch: false };
  }
  if (!Array.isArray(record.jobs)) throw invalid("jobs must be an array of jobs", "jobs");
  try {
    return { ref, jobs: parseJobsInput(record.jobs).jobs, batch: true };
  } catch (error) {
    throw renamed(error, true);
  }
}

/** Field names as the message spells them: `payload.ms` → `job.payload.ms`, `[2].type` → `jobs[2].type`. */
export function renamed(error: unknown, batch: boolean): unknown {
  // Only a refusal names a field; anything else is mapped (and logged) by the answer.
  if (!(error instanceof ValidationError) && !(error instanceof HttpError)) return error;
  const http = toHttpError(error);
  const field = http.details?.field;
  if (typeof field !== "string" || field.startsWith("job")) return http;
  const name = batch ? `jobs${field.startsWith("[") ? "" : "."}${field}` : `job.${field}`;
  return new HttpError(
    http.status,
    http.code,
    http.message.replace(`${field}: `, `${name}: `),
    { ...http.details, field: name },
    http.headers,
  );
}

/** The error answer to `ref`, as JSON text (an unexpected error is logged). */
export function errorAnswer(ref: Ref, error: unknown, logger: Logger): string {
  const http = toHttpError(error, logger);
  const answer: ProducerErrorAnswer = {
    ref,
    status: http.status,
    error: { code: http.code, message: http.message },
  };
  const retryAfter = http.headers["Retry-After"];
  const details = retryAfter === undefined
    ? http.details
    : { ...http.details, retryAfterSeconds: Number(retryAfter) };
  if (details !== undefined) answer.error.details = details;
  return JSON.stringify(answer);
}
