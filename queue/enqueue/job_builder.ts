/**
 * Turns what a producer sent into a new job: the type known, the payload checked against its
 * handler's schema, the options parsed, and the type's retry policy filled in.
 * @module
 */

import { ValidationError } from "../errors.ts";
import type { JobTypes, PayloadResult } from "../handlers/job_types.ts";
import { failingField } from "../issue_field.ts";
import type { Job, JobOptions, NewJob } from "../job.ts";
import { newJobId } from "../job_id.ts";
import { jobOptionsSchema } from "../job_options.ts";

/**
 * A new job from `item` and the check of its payload (`JobTypes.check`), or a
 * `ValidationError` naming the field. `prefix` goes before field names (`[3].` for the fourth
 * job of a batch).
 *
 * @example
 * ```ts ignore
 * const item = { type: "noop", payload: {} };
 * const [checked] = await types.check([{ ...item, prefix: "" }]);
 * const job = buildJob(types, item, checked, "", Date.now());
 * ```
 */
export function buildJob(
  types: JobTypes,
  item: NewJob,
  checked: PayloadResult,
  prefix: string,
  now: number,
): Job {
  if (typeof item.type !== "string") {
    throw new ValidationError(`${prefix}type must be a string`, `${prefix}type`);
  }
  if (!checked.ok) throw checked.error;
  const { payload } = checked;
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

function parseOptions(options: unknown, prefix: string): JobOptions {
  if (options === undefined) return {};
  const parsed = jobOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const { field, message } = failingField(parsed.error, `${prefix}options`);
  throw new ValidationError(`${field}: ${message}`, field, undefined, "invalid_options");
}
