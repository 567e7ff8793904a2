/**
 * The shape of jobs in request bodies, checked before the queue validates types and payloads.
 * @module
 */

import { z } from "zod";
import type { NewJob } from "../queue/job.ts";
import { HttpError } from "./errors.ts";

/** Jobs accepted in one batch. */
export const MAX_BATCH = 1000;

const jobInput = z.strictObject({
  type: z.string().min(1),
  payload: z.unknown(),
  options: z.record(z.string(), z.unknown()).optional(),
});

/** Checks one job object; `prefix` names its place in a batch, e.g. `[3].`. */
export function parseJobInput(body: unknown, prefix = ""): NewJob {
  const parsed = jobInput.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const path = [...issue.path.map(String), ...keys.slice(0, 1)];
    const field = path.length === 0 ? prefix.replace(/\.$/, "") || "body" : prefix + path.join(".");
    throw new HttpError(400, "invalid_request", `${field}: ${issue.message}`, { field });
  }
  const { type, payload, options } = parsed.data;
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
