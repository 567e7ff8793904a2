/**
 * The jobs queued in a worker: handed over beyond its free places, so that it starts the next
 * one as soon as one ends, without waiting a round trip to the main thread (nor on the main
 * thread's busy moments). A worker holds at most `concurrency` running and as many waiting as
 * it would hold claimed ahead (its pace, see `claimed_ahead.ts`), up to `concurrency` more: a
 * worker of slow jobs is handed only what it can start at once. A job waiting in a worker is
 * not running: its attempt and its timeout start when the worker says it started it. Cancelled
 * before that, the worker drops it; recalled (pause, drain) it comes back unstarted and goes
 * back to the queue without an attempt, as do those of a worker that ends.
 * @module
 */

import type { Job } from "../job.ts";
import type { WorkerHandle } from "./worker_handle.ts";

/**
 * How many more jobs `handle` may be handed: its `concurrency`, and `depth` waiting (what it
 * would hold claimed ahead, up to `concurrency`), less those it holds.
 *
 * @example
 * ```ts ignore
 * const jobs = ahead.take(handle, handOutRoom(handle, 4, ahead.target(handle, now)));
 * ```
 */
export function handOutRoom(handle: WorkerHandle, concurrency: number, depth: number): number {
  return Math.max(0, concurrency + Math.min(depth, concurrency) - handle.held);
}

/** Asks each of `handles` that holds jobs not started yet to give them back (as `unstarted`). */
export function recallQueued(handles: readonly WorkerHandle[]): void {
  for (const handle of handles) {
    if (handle.queued.size > 0) handle.post({ kind: "recall" });
  }
}

/**
 * Tells each of `handles` until when it may start the jobs it holds (the node's standing after
 * a heartbeat); alone on a store (`Infinity`, as every `run` said already), nothing.
 */
export function tellStanding(handles: readonly WorkerHandle[], startBefore: number): void {
  if (startBefore === Infinity) return;
  for (const handle of handles) {
    if (handle.available) handle.post({ kind: "standing", startBefore });
  }
}

/**
 * Has the workers drop their earlier claims of `jobs`, claimed again, that they have not
 * started: the job was put back or rescued since, and that attempt is over (its worker gives it
 * back, and nothing is recorded of it). One already started is left to lose its lease.
 */
export function dropQueued(handles: readonly WorkerHandle[], jobs: readonly Job[]): void {
  for (const handle of handles) {
    if (handle.queued.size === 0) continue;
    for (const job of jobs) {
      const entry = handle.queued.get(job.id);
      if (entry === undefined || entry.cancelled) continue;
      entry.cancelled = true;
      handle.abort(job.id, "cancelled");
    }
  }
}
