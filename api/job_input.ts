/**
 * The shape of jobs in request bodies, checked before the queue validates types and payloads.
 * @module
 */

import { z } from "zod";
import { failingField } from "../queue/issue_field.ts";
import type { NewJob } from "../queue/job.ts";
import { HttpError } from "./errors.ts";

/** How deeply a payload may nest: deeper ones cannot be passed to a worker safely. */
export const MAX_DEPTH = 64;

/** The nesting depth of a JSON value, counted without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== "object" || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Jobs accepted in one batch. */
export const MAX_BATCH = 1000;

const jobInput = z.strictObject({
  type: z.string().min(1),
  payload: z.unknown().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

/** Checks one job object; `prefix` names its place in a batch, e.g. `[3].`. */
export function parseJobInput(body: unknown, prefix = ""): NewJob {
  const parsed = jobInput.safeParse(body);
  if (!parsed.success) {
    const failing = failingField(parsed.error, prefix.replace(/\.$/, ""));
    const field = failing.field || "body";
    throw new HttpError(400, "invalid_request", `${field}: ${failing.message}`, { field });
  }
  const { type, payload, options } = parsed.data;
  if (depthOf(payload) > MAX_DEPTH) {
    const field = `${prefix}payload`;
    throw new HttpError(
      400,
      "invalid_payload",
      `${field} is nested deeper than ${MAX_DEPTH} levels`,
      {
        field,
      },
    );
  }
  return { type, payload: payload ?? null, options };
}

/** Checks a body that holds one job or an array of up to `MAX_BATCH`. */
export function parseJobsInput(body: unknown): { jobs: NewJob[]; batch: boolean } {
  if (!Array.isArray(body)) return { jobs: [parseJobInput(body)], batch: false };
  if (body.length === 0 || body.length > MAX_BATCH) {
    throw new HttpError(
      400,
      "invalid_request",
      `A batch holds 1 to ${MAX_BATCH} jobs, received ${body.length}`,
      { field: "jobs" },
    );
  }
  return { jobs: body.map((item, index) => parseJobInput(item, `[${index}].`)), batch: true };
}
