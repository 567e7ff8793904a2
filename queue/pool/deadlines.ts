/**
 * The pool's deadlines: a job's timeout, from when its worker started it, aborts its signal, and
 * a kill deadline a grace period later ends the worker still holding it. One timer serves every
 * worker.
 * @module
 */

import type { RunningJob, WorkerHandle } from "./worker_handle.ts";

/** Options for {@linkcode Deadlines}. */
export interface DeadlinesOptions {
  /** Milliseconds between aborting a job's signal and killing its worker. */
  killGrace: number;
  now: () => number;
  /** The pool's workers now (the list itself: a kill replaces one in it). */
  handles: () => readonly WorkerHandle[];
  /** A worker was just terminated for holding a job past its grace period. */
  onKill: (handle: WorkerHandle) => void;
}

/**
 * @example
 * ```ts ignore
 * const deadlines = new Deadlines({ killGrace: 5_000, now: Date.now, handles, onKill });
 * deadlines.watch(handle.started(jobId, at));
 * ```
 */
export class Deadlines {
  #killGrace: number;
  #now: () => number;
  #handles: () => readonly WorkerHandle[];
  #onKill: (handle: WorkerHandle) => void;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;

  constructor(options: DeadlinesOptions) {
    this.#killGrace = options.killGrace;
    this.#now = options.now;
    this.#handles = options.handles;
    this.#onKill = options.onKill;
  }

  /**
   * Makes sure the sweep runs by the first timeout of jobs a worker just started; one
   * cancelled before it started (the worker had not heard yet) gets the grace period from now.
   */
  watch(started: RunningJob[]): void {
    let earliest = Infinity;
    for (const entry of started) {
      if (entry.cancelled) entry.killAt ??= this.#now() + this.#killGrace;
      earliest = Math.min(earliest, entry.killAt ?? entry.deadline);
    }
    this.#arm(earliest);
  }

  /**
   * Aborts a job's signal and gives it the grace period before its worker is killed. One not
   * started yet is only marked: its worker gives it back without running it.
   */
  cancel(jobId: string): void {
    for (const handle of this.#handles()) {
      const queued = handle.queued.get(jobId);
      if (queued !== undefined) {
        queued.cancelled = true;
        handle.abort(jobId, "cancelled");
        return;
      }
      const entry = handle.running.get(jobId);
      if (entry === undefined) continue;
      entry.cancelled = true;
      entry.killAt ??= this.#now() + this.#killGrace;
      handle.abort(jobId, "cancelled");
      this.#arm(entry.killAt);
      return;
    }
  }

  /** Stops the timer for good. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  /** Makes sure the deadline sweep runs no later than `at`. One timer for the whole pool. */
  #arm(at: number): void {
    if (this.#closed || at >= this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#sweep();
    }, Math.max(0, at - this.#now()));
  }

  /** Aborts jobs past their timeout and kills workers holding jobs past their grace period. */
  #sweep(): void {
    const now = this.#now();
    let next = Infinity;
    for (const handle of [...this.#handles()]) {
      let kill = false;
      for (const [jobId, entry] of handle.running) {
        if (entry.killAt !== undefined && entry.killAt <= now) {
          kill = true;
        } else if (!entry.timedOut && !entry.cancelled && entry.deadline <= now) {
          entry.timedOut = true;
          entry.killAt = now + this.#killGrace;
          handle.abort(jobId, "timeout");
        }
        next = Math.min(next, entry.killAt ?? entry.deadline);
      }
      if (kill) {
        handle.terminate();
        this.#onKill(handle);
      }
    }
    if (next !== Infinity) this.#arm(next);
  }
}
