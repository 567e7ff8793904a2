/**
 * The pool's workers: starting them, counting what they run, and putting a new worker in the
 * place of one that died or was killed (on a later turn: `new Worker()` holds the main thread
 * for 10–20 ms, and what the dead one's jobs became should reach the store first).
 * @module
 */

import type { Job } from "../job.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { type WorkerCallbacks, WorkerHandle, type WorkerInit } from "./worker_handle.ts";

/**
 * @example
 * ```ts ignore
 * const workers = new WorkerSet(2, init, callbacks, () => pump());
 * await workers.start();
 * ```
 */
export class WorkerSet {
  #handles: WorkerHandle[] = [];
  #nextId = 1;
  #respawns = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;

  /** `onReplaced` is called once a replacement worker is ready for jobs. */
  constructor(
    readonly size: number,
    readonly init: WorkerInit,
    readonly callbacks: WorkerCallbacks,
    readonly onReplaced: () => void,
    readonly logger: Logger = defaultLogger(),
  ) {}

  /** Starts every worker and waits until each has loaded its handlers. */
  async start(): Promise<void> {
    const handles = Array.from({ length: this.size }, () => this.#spawn());
    try {
      await Promise.all(handles.map((handle) => handle.ready()));
    } catch (error) {
      for (const handle of handles) handle.terminate();
      throw error;
    }
    this.#handles = handles;
  }

  /** The workers now (a dead one stays listed until its replacement starts). */
  get handles(): readonly WorkerHandle[] {
    return this.#handles;
  }

  /** Jobs running now, on every worker. */
  get running(): number {
    let running = 0;
    for (const handle of this.#handles) running += handle.running.size;
    return running;
  }

  /** Workers running at least one job. */
  get busy(): number {
    return this.#handles.filter((handle) => handle.running.size > 0).length;
  }

  /** Whether a worker runs an attempt of the job `jobId` now. */
  runs(jobId: string): boolean {
    for (const handle of this.#handles) if (handle.running.has(jobId)) return true;
    return false;
  }

  /** The attempts running on every worker now. */
  runningJobs(): Job[] {
    const jobs: Job[] = [];
    for (const handle of this.#handles) {
      for (const entry of handle.running.values()) jobs.push(entry.job);
    }
    return jobs;
  }

  /** Whether `handle` is one of the workers (a replaced one is not). */
  has(handle: WorkerHandle): boolean {
    return this.#handles.includes(handle);
  }

  /** Puts a new worker in the place of `handle`, dead or killed, on a later turn. */
  replace(handle: WorkerHandle): void {
    const index = this.#handles.indexOf(handle);
    if (index === -1) return;
    if (this.#closed) this.#handles.splice(index, 1);
    else this.#respawn(handle, 0);
  }

  /** Terminates every worker at once; what they ran is forgotten. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#respawns) clearTimeout(timer);
    for (const handle of this.#handles) {
      handle.running.clear();
      handle.terminate();
    }
    this.#handles = [];
  }

  #spawn(): WorkerHandle {
    return new WorkerHandle(`w${this.#nextId++}`, this.init, this.callbacks, this.logger);
  }

  #respawn(handle: WorkerHandle, delay: number): void {
    const timer = setTimeout(() => {
      this.#respawns.delete(timer);
      const index = this.#handles.indexOf(handle);
      if (this.#closed || index === -1) return;
      const replacement = this.#spawn();
      this.#handles[index] = replacement;
      replacement.ready().then(() => this.onReplaced(), (error) => {
        this.logger.error(`${error instanceof Error ? error.message : error}; trying again`, {
          worker: replacement.id,
        });
        this.#respawn(replacement, 1000);
      });
    }, delay);
    this.#respawns.add(timer);
  }
}
