/**
 * The pool's workers and jobs as `GET /api/stats` shows them: a job claimed ahead counts as
 * such until its worker starts it, whether the pool holds it or it waits in the worker.
 * @module
 */

import type { SandboxStats, WorkerGroups } from "./worker_groups.ts";

/** Workers and jobs, as `GET /api/stats` shows them. */
export interface PoolStats {
  /** Workers in all that the groups grow to (each group with work has one at least). */
  size: number;
  concurrency: number;
  /** Whether handing out jobs is paused (`POST /api/queue/pause`). */
  paused: boolean;
  busy: number;
  idle: number;
  running: number;
  /**
   * Jobs claimed for workers before they had room (`claimAhead`): in progress in the store,
   * not started yet, held by the pool or queued in a worker.
   */
  claimedAhead: number;
  /** The workers of each set of permissions. */
  sandboxes: SandboxStats[];
}

/**
 * The stats of the pool `pool` of `workers`, with `heldAhead` jobs claimed ahead in the pool.
 *
 * @example
 * ```ts ignore
 * const stats = poolStats(workers, { size: 2, concurrency: 8, paused: false }, 0);
 * ```
 */
export function poolStats(
  workers: WorkerGroups,
  pool: Pick<PoolStats, "size" | "concurrency" | "paused">,
  heldAhead: number,
): PoolStats {
  const busy = workers.busy;
  return {
    size: pool.size,
    concurrency: pool.concurrency,
    paused: pool.paused,
    busy,
    idle: workers.handles.length - busy,
    running: workers.running,
    claimedAhead: heldAhead + workers.queued,
    sandboxes: workers.stats(),
  };
}
