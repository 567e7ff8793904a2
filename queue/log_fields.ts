/**
 * The log fields that name the jobs a line is about: `jobId` and `type` for one job, `jobIds`
 * and `types` for several.
 * @module
 */

import type { Job } from "./job.ts";
import type { LogFields } from "./primitives/logger.ts";

/** Ids listed at most on one line; the message says how many there were. */
const MAX_IDS = 100;

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jobFields } from "./log_fields.ts";
 * assert.deepEqual(jobFields([{ id: "j1", type: "email" }]), { jobId: "j1", type: "email" });
 * assert.deepEqual(jobFields([{ id: "j1", type: "email" }, { id: "j2", type: "email" }]), {
 *   jobIds: ["j1", "j2"],
 *   types: ["email"],
 * });
 * ```
 */
export function jobFields(jobs: readonly Pick<Job, "id" | "type">[]): LogFields {
  if (jobs.length === 0) return {};
  if (jobs.length === 1) return { jobId: jobs[0].id, type: jobs[0].type };
  return {
    jobIds: jobs.slice(0, MAX_IDS).map((job) => job.id),
    types: [...new Set(jobs.map((job) => job.type))],
  };
}
