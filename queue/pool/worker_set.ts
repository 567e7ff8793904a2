/**
 * The workers of one sandbox (job types with the same permissions): started on demand, one at
 * a time, counted, and replaced when one dies or is killed (on a later turn: `new Worker()`
 * holds the main thread for 10–20 ms, and what the dead one's jobs became should reach the
 * store first). A worker that cannot start is logged and tried again a second later.
 * @module
 */

import type { Job } from "../job.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { type WorkerCallbacks, WorkerHandle, type WorkerInit } from "./worker_handle.ts";

/** What the workers of every sandbox share: their callbacks, ids, and the pool's pump. */
export interface WorkerSetContext {
  callbacks: WorkerCallbacks;
  /** The next worker's id (`w1`, `w2`, ... across the pool). */
  nextId: () => string;
  /** A worker became ready for jobs (new, or in the place of another). */
  onReady: () => void;
  logger?: Logger;
}

/**
 * @example
 * ```ts ignore
 * const workers = new WorkerSet("none", init, context);
 * workers.grow();
 * ```
 */
export class WorkerSet {
  #handles: WorkerHandle[] = [];
  #starting = new Set<WorkerHandle>();
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  #logger: Logger;

  constructor(
    /** How logs name this sandbox's permissions (`permissionsLabel`). */
    readonly label: string,
    readonly init: WorkerInit,
    readonly context: WorkerSetContext,
  ) {
    this.#logger = context.logger ?? defaultLogger();
  }

  /** The job types its workers run. */
  get types(): readonly string[] {
    return this.init.types;
  }

  /** The workers ready for jobs now (a dead one stays listed until its replacement starts). */
  get handles(): readonly WorkerHandle[] {
    return this.#handles;
  }

  /** Workers starting now, not ready yet. */
  get starting(): number {
    return this.#starting.size;
  }

  /** Starts one more worker; it joins `handles` once it has loaded its handlers. */
  grow(): void {
    if (this.#closed) return;
    this.#start(undefined);
  }

  /** Jobs running now, on its workers. */
  get running(): number {
    let running = 0;
    for (const handle of this.#handles) running += handle.running.size;
    return running;
  }

  /** Jobs its workers hold and have not started yet. */
  get queued(): number {
    let queued = 0;
    for (const handle of this.#handles) queued += handle.queued.size;
    return queued;
  }

  /** Puts a new worker in the place of `handle`, dead or killed, on a later turn. */
  replace(handle: WorkerHandle): void {
    const index = this.#handles.indexOf(handle);
    if (index === -1) return;
    if (this.#closed) this.#handles.splice(index, 1);
    else this.#later(() => this.#start(handle), 0);
  }

  /** The attempts its workers hold now, running or not started yet. */
  heldJobs(): Job[] {
    return this.#handles.flatMap((handle) =>
      [...handle.running.values(), ...handle.queued.values()].map(({ job }) => job)
    );
  }

  /** Terminates every worker at once; what they ran is forgotten. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    for (const handle of [...this.#handles, ...this.#starting]) {
      handle.running.clear();
      handle.queued.clear();
      handle.terminate();
    }
    this.#handles = [];
    this.#starting.clear();
  }

  /** Starts a worker, in the place of `old` once ready if given; tries again on failure. */
  #start(old: WorkerHandle | undefined): void {
    if (this.#closed || (old !== undefined && !this.#handles.includes(old))) return;
    let handle: WorkerHandle;
    try {
      handle = new WorkerHandle(
        this.context.nextId(),
        this.init,
        this.context.callbacks,
        this.#logger,
      );
    } catch (error) {
      this.#failed(old, undefined, error);
      return;
    }
    this.#starting.add(handle);
    handle.ready().then(() => {
      this.#starting.delete(handle);
      if (this.#closed) return handle.terminate();
      const index = old === undefined ? -1 : this.#handles.indexOf(old);
      if (index === -1) this.#handles.push(handle);
      else this.#handles[index] = handle;
      this.context.onReady();
    }, (error) => {
      this.#starting.delete(handle);
      this.#failed(old, handle.id, error);
    });
  }

  #failed(old: WorkerHandle | undefined, id: string | undefined, error: unknown): void {
    if (this.#closed) return;
    this.#logger.error(
      `A worker for permissions ${this.label} could not start: ${
        error instanceof Error ? error.message : error
      }; trying again in 1 s`,
      { worker: id, types: this.init.types.join(",") },
    );
    this.#later(() => this.#start(old), 1_000);
  }

  #later(task: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      task();
    }, ms);
    this.#timers.add(timer);
  }
}
