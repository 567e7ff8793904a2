/**
 * Ready notifications: the queue tells its listeners (the pool) when jobs become claimable, and
 * of which types, so that only the workers that run those types need to look.
 * @module
 */

import type { Job } from "./job.ts";

/**
 * Called when jobs become ready to claim, with their types; `undefined` where they are not
 * known (any type may be ready).
 */
export type ReadyListener = (types: ReadonlySet<string> | undefined) => void;

/** Tells the queue's ready listeners that jobs of `types` became ready to claim. */
export type NotifyReady = (types: ReadonlySet<string>) => void;

/**
 * The types of `jobs`, each once: what a ready notification carries.
 *
 * @example
 * ```ts
 * import { typesOf } from "./ready.ts";
 * typesOf([{ type: "email" }, { type: "resize" }, { type: "email" }]); // Set { "email", "resize" }
 * ```
 */
export function typesOf(jobs: Iterable<Pick<Job, "type">>): ReadonlySet<string> {
  const types = new Set<string>();
  for (const job of jobs) types.add(job.type);
  return types;
}
