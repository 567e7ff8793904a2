/**
 * A queued job built straight for a store, as the store benchmarks insert them (no queue in
 * between): due now, payload `{ i }`, the default retry settings.
 * @module
 */

import { DEFAULT_BACKOFF } from "../../queue/backoff.ts";
import type { Job } from "../../queue/job.ts";

/** The `i`-th queued job of `type`. */
export function queuedJob(type: string, i: number): Job {
  const now = Date.now();
  return {
    id: crypto.randomUUID(),
    seq: 0,
    type,
    payload: { i },
    status: "queued",
    maxAttempts: 3,
    timeout: 30_000,
    backoff: { ...DEFAULT_BACKOFF },
    createdAt: now,
    runAt: now,
    updatedAt: now,
    progress: 0,
    attempts: [],
    logs: [],
  };
}
