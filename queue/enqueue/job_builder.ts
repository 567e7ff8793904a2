/**
 * Turns what a producer sent into a new job: the type known, the payload checked against its
 * handler's schema, the options parsed, and the type's retry policy filled in.
 * @module
 */

import { ValidationError } from "../errors.ts";
import type { JobTypes, PayloadCheck, PayloadResult } from "../handlers/job_types.ts";
import { failingField } from "../issue_field.ts";
import type { Job, JobOptions, NewJob } from "../job.ts";
import { newJobId } from "../job_id.ts";
import { jobOptionsSchema } from "../job_options.ts";

/**
 * A new job from `item`, or a `ValidationError` naming the field. `prefix` goes before field
 * names (`[3].` for the fourth job of a batch). `checked` is its payload's check
 * (`JobTypes.check`), made here when not given (only for types checked synchronously).
 *
 * @example
 * ```ts ignore
 * const job = buildJob(registry, { type: "noop", payload: {} }, "", Date.now());
 * ```
 */
export function buildJob(
  types: JobTypes,
  item: NewJob,
  prefix: string,
  now: number,
  checked?: PayloadResult,
): Job {
  if (typeof item.type !== "string") {
    throw new ValidationError(`${prefix}type must be a string`, `${prefix}type`);
  }
  const result = checked ?? checkedNow(types, { type: item.type, payload: item.payload, prefix });
  if (!result.ok) throw result.error;
  const { payload } = result;
  const options = parseOptions(item.options, prefix);
  const policy = types.policy(item.type);
  const delayed = (options.delay ?? 0) > 0;
  return {
    id: newJobId(now),
    seq: 0,
    type: item.type,
    payload,
    status: delayed ? "scheduled" : "queued",
    maxAttempts: options.maxAttempts ?? policy.maxAttempts,
    timeout: options.timeout ?? policy.timeout,
    backoff: options.backoff === undefined
      ? policy.backoff
      : { ...policy.backoff, ...options.backoff },
    createdAt: now,
    runAt: now + (options.delay ?? 0),
    updatedAt: now,
    progress: 0,
    attempts: [],
    logs: [],
    ...(item.retryOf === undefined ? {} : { retryOf: item.retryOf }),
  };
}

function checkedNow(types: JobTypes, item: PayloadCheck): PayloadResult {
  const results = types.check([item]);
  if (results instanceof Promise) {
    throw new TypeError(`The payload of ${item.type} is checked elsewhere: check it first`);
  }
  return results[0];
}

function parseOptions(options: unknown, prefix: string): JobOptions {
  if (options === undefined) return {};
  const parsed = jobOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const { field, message } = failingField(parsed.error, `${prefix}options`);
  throw new ValidationError(`${field}: ${message}`, field, undefined, "invalid_options");
}
