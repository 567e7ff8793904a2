/**
 * How the memory store keeps a job: frozen, with everything it holds, so that the objects it
 * hands out are snapshots nobody can change under it (changing one throws).
 * @module
 */

import type { Job } from "../../job.ts";

/**
 * A job as this store keeps it: its own copy of the lists, frozen with the job and everything
 * it holds, so that what it hands out is a snapshot nobody can change under it (an attempt to
 * throws). What was frozen before (the unchanged parts of a job moved on) is not walked again.
 *
 * @example
 * ```ts ignore
 * this.#jobs.set(job.id, owned({ ...job, status: "queued" }));
 * ```
 */
export function owned(job: Job): Job {
  job.attempts = frozenList(job.attempts);
  job.logs = frozenList(job.logs);
  deepFreeze(job.payload);
  deepFreeze(job.result);
  deepFreeze(job.backoff);
  return Object.freeze(job);
}

/** A frozen copy of a list of flat records (attempts, log lines), each frozen once. */
function frozenList<T extends object>(list: readonly T[]): T[] {
  const copy = list.slice();
  for (const item of copy) if (!Object.isFrozen(item)) Object.freeze(item);
  return Object.freeze(copy) as T[];
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}
