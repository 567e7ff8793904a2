/**
 * Jobs claimed for a worker before it has room for them, so that it never waits on the store
 * between two jobs: each worker's own, oldest first, handed over as its places free up. A
 * worker holds as many as it finished in the last `paceMs` (100 ms), up to the depth: fast jobs
 * keep a full reserve, slow ones (a worker that finishes a job a second) almost none, so no job
 * waits ahead much longer than that while another node or worker could have run it. They
 * are the worker's attempts already (in progress in the store, under this process's lease,
 * renewed with the running ones), whose time starts when their worker starts them (up to
 * `concurrency` of them, or 16 for quick jobs, wait in the worker itself, see `worker_queue.ts`);
 * a job cancelled or lost meanwhile is dropped, and those of a worker that ends, or of a pool
 * that pauses or drains, go back to the queue without losing an attempt. A process killed
 * outright loses them as it loses its running jobs: rescued later, each with an interrupted
 * attempt.
 * @module
 */

import type { Job } from "../job.ts";
import type { WorkerHandle } from "./worker_handle.ts";

/** Jobs a worker finished in the current window (since `since`) and in the one before. */
interface Pace {
  since: number;
  current: number;
  previous: number;
}

/**
 * @example
 * ```ts ignore
 * const ahead = new ClaimedAhead(32);
 * ahead.add(handle, jobs);
 * const next = ahead.take(handle, 4);
 * ```
 */
export class ClaimedAhead {
  #byWorker = new Map<WorkerHandle, Job[]>();
  /** The worker each held job is held for, by job id: a claim's check of its jobs stays O(1). */
  #holder = new Map<string, WorkerHandle>();
  #pace = new Map<WorkerHandle, Pace>();

  /**
   * `depth`: jobs a worker holds at most beyond those it runs (0 claims only for free places);
   * `paceMs`: the window whose finished jobs it holds.
   */
  constructor(readonly depth: number, readonly paceMs = 100) {
    if (!Number.isInteger(depth) || depth < 0) {
      throw new RangeError(`claimAhead must be a whole number of jobs, received ${depth}`);
    }
  }

  /** `handle` finished `count` jobs at `now`. */
  finished(handle: WorkerHandle, count: number, now: number): void {
    if (this.depth === 0 || count === 0) return;
    let pace = this.#pace.get(handle);
    if (pace === undefined) this.#pace.set(handle, pace = { since: now, current: 0, previous: 0 });
    this.#roll(pace, now);
    pace.current += count;
  }

  /** How many jobs `handle` should hold at `now`: what it finished lately, up to the depth. */
  target(handle: WorkerHandle, now: number): number {
    const pace = this.#pace.get(handle);
    if (pace === undefined) return 0;
    this.#roll(pace, now);
    return Math.min(this.depth, pace.previous + pace.current);
  }

  /** Starts a new window once the current one is over (the last one is forgotten after two). */
  #roll(pace: Pace, now: number): void {
    const elapsed = now - pace.since;
    if (elapsed < this.paceMs) return;
    pace.previous = elapsed < 2 * this.paceMs ? pace.current : 0;
    pace.current = 0;
    pace.since = now;
  }

  /** Jobs held for `handle`. */
  count(handle: WorkerHandle): number {
    return this.#byWorker.get(handle)?.length ?? 0;
  }

  /** Jobs held for every worker. */
  get size(): number {
    let size = 0;
    for (const jobs of this.#byWorker.values()) size += jobs.length;
    return size;
  }

  /**
   * How many jobs to claim for `handle` with `room` free places at `now`, counting those held
   * here and those waiting in the worker itself (see `worker_queue.ts`): the room and its full
   * target once it holds half its target or less, else only what the room lacks.
   */
  wanted(handle: WorkerHandle, room: number, now: number): number {
    const held = this.count(handle) + handle.queued.size;
    const target = this.target(handle, now);
    return held * 2 <= target ? room + Math.max(0, target - held) : Math.max(0, room - held);
  }

  /**
   * Keeps `jobs` for `handle`, after those it holds. An earlier claim of one of them still held
   * is dropped: the job was put back or rescued since, and that attempt is over.
   */
  add(handle: WorkerHandle, jobs: Job[]): void {
    if (jobs.length === 0) return;
    for (const job of jobs) {
      this.drop(job.id);
      this.#holder.set(job.id, handle);
    }
    const held = this.#byWorker.get(handle);
    if (held === undefined) this.#byWorker.set(handle, jobs.slice());
    else held.push(...jobs);
  }

  /** Up to `n` of `handle`'s jobs, oldest first, no longer held. */
  take(handle: WorkerHandle, n: number): Job[] {
    const held = this.#byWorker.get(handle);
    if (held === undefined || n <= 0) return [];
    const taken = held.splice(0, n);
    if (held.length === 0) this.#byWorker.delete(handle);
    for (const job of taken) this.#holder.delete(job.id);
    return taken;
  }

  /**
   * Up to `n` jobs to hand `handle` (its `concurrency` places, and its siblings of one set
   * `others`): its own, oldest first; with none of its own and a place free, those held for the
   * sibling holding most among those whose places are all taken (a slow job), so that they do
   * not wait behind it, each with its attempt moved to `handle`. No longer held.
   */
  takeFor(
    handle: WorkerHandle,
    n: number,
    others: readonly WorkerHandle[],
    concurrency: number,
  ): Job[] {
    const own = this.take(handle, n);
    if (own.length > 0 || handle.running.size >= concurrency) return own;
    let from: WorkerHandle | undefined;
    for (const other of others) {
      if (other === handle || other.running.size < concurrency) continue;
      if (this.count(other) > (from === undefined ? 0 : this.count(from))) from = other;
    }
    if (from === undefined) return own;
    return this.take(from, n).map((job) => movedTo(job, handle.id));
  }

  /** Every job held for `handle`, no longer held (its worker ended). */
  takeAll(handle: WorkerHandle): Job[] {
    const held = this.#byWorker.get(handle) ?? [];
    this.#byWorker.delete(handle);
    this.#pace.delete(handle);
    for (const job of held) this.#holder.delete(job.id);
    return held;
  }

  /** Every job held, no longer held (the pool pauses or drains). */
  clear(): Job[] {
    const all = [...this.#byWorker.values()].flat();
    this.#byWorker.clear();
    this.#holder.clear();
    return all;
  }

  /** Drops the job `jobId` if held (cancelled, or its lease lost); says whether it was. */
  drop(jobId: string): boolean {
    const handle = this.#holder.get(jobId);
    if (handle === undefined) return false;
    this.#holder.delete(jobId);
    const held = this.#byWorker.get(handle)!;
    held.splice(held.findIndex((job) => job.id === jobId), 1);
    if (held.length === 0) this.#byWorker.delete(handle);
    return true;
  }

  /** Every job held now. */
  jobs(): Job[] {
    return [...this.#byWorker.values()].flat();
  }
}

/** `job` with its open attempt on the worker `workerId`. A new object; `job` is left as it was. */
function movedTo(job: Job, workerId: string): Job {
  const open = job.attempts.at(-1);
  if (open === undefined || open.endedAt !== undefined) return job;
  return { ...job, attempts: [...job.attempts.slice(0, -1), { ...open, workerId }] };
}
