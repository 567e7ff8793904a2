/**
 * The jobs queued in a worker: handed over beyond its free places, so that it starts the next
 * one as soon as one ends, without waiting a round trip to the main thread (nor on the main
 * thread's busy moments). A worker holds at most `concurrency` running and as many waiting as
 * it would hold claimed ahead (its pace, see `claimed_ahead.ts`), up to `concurrency` more; a
 * worker of quick jobs, an eighth of its pace up to {@linkcode MIN_WAITING} if that is more (a
 * slow job then holds back at most that many quick ones, instead of its siblings taking them):
 * a worker of slow jobs is handed only what it can start at once. It is topped up once half of
 * those waiting have started (or a place would go idle), so that one message hands it several
 * rounds of its places, not one each: every message between threads costs both of them
 * (measured with quick jobs on PostgreSQL, 2 workers × 4: a third fewer messages, ~10 µs less CPU
 * per job; 1 worker × 1: half the CPU per job). A job waiting in a worker is
 * not running: its attempt and its timeout start when the worker says it started it. Cancelled
 * before that, the worker drops it; recalled (pause, drain) it comes back unstarted and goes
 * back to the queue without an attempt, as do those of a worker that ends.
 * @module
 */

import type { Job } from "../job.ts";
import type { WorkerHandle } from "./worker_handle.ts";

/** Jobs a worker of quick jobs may hold waiting, whatever its places ({@linkcode handOutRoom}). */
export const MIN_WAITING = 16;

/**
 * How many more jobs `handle` may be handed: its free places, and waiting `depth` (what it
 * would hold claimed ahead) up to `concurrency`, or an eighth of `depth` up to
 * {@linkcode MIN_WAITING} if that is more, less those it holds; none while more than half of
 * those it may hold waiting still wait and its places are all taken or promised to them.
 *
 * @example
 * ```ts ignore
 * const jobs = ahead.take(handle, handOutRoom(handle, 4, ahead.target(handle, now)));
 * ```
 */
export function handOutRoom(
  handle: { running: { size: number }; queued: { size: number }; held: number },
  concurrency: number,
  depth: number,
): number {
  const waiting = Math.max(Math.min(depth, concurrency), Math.min(depth >> 3, MIN_WAITING));
  const idle = concurrency - handle.running.size > handle.queued.size;
  if (!idle && handle.queued.size * 2 > waiting) return 0;
  return Math.max(0, concurrency + waiting - handle.held);
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
