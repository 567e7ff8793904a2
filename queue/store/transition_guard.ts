/**
 * What every driver checks before it writes an update: the lifecycle table, so that no caller
 * can move a job where the table does not allow, and a final job never changes.
 * @module
 */

import { canTransition, FINAL_STATUSES, IllegalTransitionError } from "../lifecycle.ts";
import type { JobUpdate } from "./job_store.ts";

/**
 * Throws `IllegalTransitionError` for the first update whose move the lifecycle table refuses.
 * An update that keeps an unfinished job's status (its data changes, not its state) is allowed;
 * a final job's is not. An update that removes its job (`remove`) must end it. A `RangeError`
 * says so otherwise.
 *
 * @example
 * ```ts ignore
 * assertUpdatesFollowLifecycle(updates); // before anything is written
 * ```
 */
export function assertUpdatesFollowLifecycle(updates: readonly JobUpdate[]): void {
  for (const { from, job, remove } of updates) {
    const to = job.status;
    const allowed = from === to ? !FINAL_STATUSES.has(from) : canTransition(from, to);
    if (!allowed) throw new IllegalTransitionError(job.id, from, to);
    if (remove === true && (from === to || !FINAL_STATUSES.has(to))) {
      throw new RangeError(`Job ${job.id} can be removed by an update only as it ends (to ${to})`);
    }
  }
}
