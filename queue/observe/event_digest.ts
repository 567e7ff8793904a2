/**
 * A job event as the live feed sends it, and as nodes of a cluster tell each other: what a
 * view of the job list needs (id, type, status, attempt, progress, error, when), without the
 * payload, result or logs (a view that wants them reads the job).
 * @module
 */

import type { JobEvent } from "../events.ts";
import type { JobStatus } from "../lifecycle.ts";

/** One job transition, in short. */
export interface EventDigest {
  event: JobEvent["type"];
  id: string;
  type?: string;
  status?: JobStatus;
  attempt?: number;
  progress?: number;
  error?: string;
  /** For `cleared`: how many jobs were removed. */
  count?: number;
  /** When it happened, ISO 8601, as every time the API answers. */
  at: string;
}

/**
 * `event` in short, as of `at`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestEvent } from "./event_digest.ts";
 * const digest = digestEvent({ type: "deleted", jobId: "j1" }, "2026-01-01T00:00:00.000Z");
 * assert.deepEqual(digest, { event: "deleted", id: "j1", at: "2026-01-01T00:00:00.000Z" });
 * ```
 */
export function digestEvent(event: JobEvent, at: string): EventDigest {
  if ("job" in event) {
    const { job } = event;
    return {
      event: event.type,
      id: job.id,
      type: job.type,
      status: job.status,
      attempt: job.attempts.length,
      progress: job.progress,
      error: job.error,
      at,
    };
  }
  if (event.type === "progress") {
    return { event: event.type, id: event.jobId, progress: event.progress, at };
  }
  if (event.type === "cleared") {
    return { event: event.type, id: "", status: event.status, count: event.count, at };
  }
  return { event: event.type, id: event.jobId, at };
}
