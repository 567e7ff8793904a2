/**
 * The worker pool: N Web Workers, each running up to C jobs at once. It claims jobs in batches
 * when workers have room, hands them out, records how they end, and replaces workers that die.
 * @module
 */

import type { Job } from "../job.ts";
import type { AttemptReport } from "../attempts/settle.ts";
import type { Queue } from "../queue.ts";
import { RetryTimer } from "../primitives/retry_timer.ts";
import { Ticker } from "../primitives/ticker.ts";
import { deadWorkerJobs, outcomeReports, unsentReports } from "./attempt_reports.ts";
import { Deadlines } from "./deadlines.ts";
import type { FromWorker } from "./protocol.ts";
import { DEFAULT_RESULT_LIMIT } from "./result_limit.ts";
import { WorkerHandle, type WorkerInit } from "./worker_handle.ts";

/** Options for {@linkcode WorkerPool}. */
export interface PoolOptions {
  queue: Queue;
  /** Workers. Default: the number of CPUs. */
  size?: number;
  /** Jobs each worker runs at once. Default 16. */
  concurrency?: number;
  /** Absolute URLs of user handler modules, loaded into every worker. */
  modules?: string[];
  /** Time scale of the demo job types. Default 1. */
  demoSpeed?: number;
  /** Milliseconds between aborting a job's signal and killing its worker. Default 5,000. */
  killGrace?: number;
  /** Largest job result, in bytes of JSON; a larger one fails for good. Default 1 MB. */
  resultLimit?: number;
  /** After a failed claim, the first wait before claiming again (doubling to 5 s). Default 100. */
  claimRetry?: number;
  /** The worker entry. Default: `worker.ts` (or `worker.js` when bundled) beside this file. */
  workerUrl?: URL;
  now?: () => number;
}

/** Workers and jobs, as `GET /api/stats` shows them. */
export interface PoolStats {
  size: number;
  concurrency: number;
  /** Whether handing out jobs is paused (`POST /api/queue/pause`). */
  paused: boolean;
  busy: number;
  idle: number;
  running: number;
}

function defaultWorkerUrl(): URL {
  const bundled = !import.meta.url.endsWith(".ts");
  return new URL(bundled ? "./worker.js" : "./worker.ts", import.meta.url);
}

/**
 * @example
 * ```ts ignore
 * const pool = new WorkerPool({ queue, size: 2, concurrency: 16 });
 * await pool.start();
 * ```
 */
export class WorkerPool {
  readonly size: number;
  readonly concurrency: number;
  readonly killGrace: number;
  #queue: Queue;
  #init: WorkerInit;
  #now: () => number;
  #handles: WorkerHandle[] = [];
  #nextId = 1;
  #pumping = false;
  #again = false;
  #draining = false;
  #paused = false;
  #closed = false;
  #deadlines: Deadlines;
  #idle: (() => void)[] = [];
  #respawns = new Set<ReturnType<typeof setTimeout>>();
  #leases: Ticker;
  #claimRetry: RetryTimer;
  #unsubscribe: (() => void)[] = [];

  constructor(options: PoolOptions) {
    this.size = options.size ?? navigator.hardwareConcurrency ?? 2;
    this.concurrency = options.concurrency ?? 16;
    this.killGrace = options.killGrace ?? 5_000;
    for (const [name, value] of [["size", this.size], ["concurrency", this.concurrency]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a positive integer, received ${value}`);
      }
    }
    this.#queue = options.queue;
    this.#now = options.now ?? Date.now;
    this.#deadlines = new Deadlines({
      killGrace: this.killGrace,
      now: this.#now,
      handles: () => this.#handles,
      onKill: (handle) => this.#replace(handle, undefined),
    });
    this.#leases = new Ticker("Lease renewal", this.#queue.leaseMs / 3, () => {
      const jobs: Job[] = [];
      for (const handle of this.#handles) {
        for (const entry of handle.running.values()) jobs.push(entry.job);
      }
      return this.#queue.renewLeases(jobs);
    });
    this.#claimRetry = new RetryTimer(() => this.#pump(), { first: options.claimRetry ?? 100 });
    this.#init = {
      url: options.workerUrl ?? defaultWorkerUrl(),
      modules: options.modules ?? [],
      demoSpeed: options.demoSpeed ?? 1,
      resultLimit: options.resultLimit ?? DEFAULT_RESULT_LIMIT,
    };
  }

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
    this.#leases.start();
    this.#unsubscribe.push(
      this.#queue.onReady(() => this.#pump()),
      this.#queue.onCancel((jobId) => this.#deadlines.cancel(jobId)),
    );
    this.#pump();
  }

  /** Stops handing out jobs; running ones finish. Jobs wait in the queue until `resume()`. */
  pause(): void {
    this.#paused = true;
  }

  /** Hands out jobs again. */
  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  get paused(): boolean {
    return this.#paused;
  }

  stats(): PoolStats {
    let busy = 0;
    let running = 0;
    for (const handle of this.#handles) {
      if (handle.running.size > 0) busy++;
      running += handle.running.size;
    }
    return {
      size: this.size,
      concurrency: this.concurrency,
      paused: this.#paused,
      busy,
      idle: this.#handles.length - busy,
      running,
    };
  }

  /** Jobs running now. */
  get running(): number {
    let running = 0;
    for (const handle of this.#handles) running += handle.running.size;
    return running;
  }

  /**
   * Stops handing out jobs and waits up to `graceMs` for the running ones to finish. Then
   * aborts the signals of those still running and waits up to `killGraceMs` (default: the
   * pool's `killGrace`) for them to return; what they return is recorded as any outcome.
   * Resolves with the jobs still running after that: `close()` ends their workers.
   */
  async drain(graceMs: number, killGraceMs: number = this.killGrace): Promise<Job[]> {
    this.#draining = true;
    const settled = async (ms: number) => {
      if (this.running === 0) return;
      const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
      await Promise.race([idle, timeout]);
      clearTimeout(timer);
    };
    await settled(graceMs);
    for (const handle of this.#handles) {
      for (const jobId of handle.running.keys()) handle.abort(jobId, "shutdown");
    }
    await settled(killGraceMs);
    const left: Job[] = [];
    for (const handle of this.#handles) {
      for (const entry of handle.running.values()) left.push(entry.job);
    }
    return left;
  }

  /**
   * Terminates every worker at once (jobs still running are forgotten: drain first), then
   * resolves once a lease renewal in progress has ended, so the store can close.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#draining = true;
    for (const off of this.#unsubscribe) off();
    this.#claimRetry.stop();
    this.#deadlines.close();
    for (const timer of this.#respawns) clearTimeout(timer);
    for (const handle of this.#handles) {
      handle.running.clear();
      handle.terminate();
    }
    this.#handles = [];
    for (const resolve of this.#idle.splice(0)) resolve();
    await this.#leases.stop();
  }

  #spawn(): WorkerHandle {
    return new WorkerHandle(`w${this.#nextId++}`, this.#init, {
      onBatch: (handle, message) => this.#onBatch(handle, message),
      onCrash: (handle, reason) => this.#replace(handle, `Worker crashed: ${reason}`),
    });
  }

  /**
   * Claims jobs for every worker with room, all at once (a durable store commits the claims
   * together, with the outcomes waiting), until the queue or the room runs out. After a failed
   * claim it tries again by itself, waiting longer after each failure in a row.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        for (;;) {
          if (this.#draining || this.#paused) return;
          const rooms = this.#handles
            .filter((handle) => handle.available && handle.running.size < this.concurrency)
            .map((handle) => ({ handle, room: this.concurrency - handle.running.size }));
          if (rooms.length === 0) break;
          const claims = await Promise.allSettled(
            rooms.map(({ handle, room }) => this.#queue.claim(room, handle.id)),
          );
          let full = true;
          // Jobs claimed for one worker are handed out even when another worker's claim failed.
          for (const [i, claim] of claims.entries()) {
            if (claim.status === "rejected") continue;
            if (claim.value.length < rooms[i].room) full = false;
            if (claim.value.length > 0) await this.#dispatch(rooms[i].handle, claim.value);
          }
          const failed = claims.find((claim) => claim.status === "rejected");
          if (failed !== undefined) throw failed.reason;
          this.#claimRetry.succeeded();
          if (!full) break;
        }
      } while (this.#again);
    } catch (error) {
      const wait = this.#claimRetry.schedule();
      const next = wait > 0 ? `trying again in ${wait} ms` : "a retry is already due";
      console.error(`Worker pool failed to claim jobs (${next}):`, error);
    } finally {
      this.#pumping = false;
    }
  }

  /** Hands claimed jobs to a worker (or back to the queue if it died meanwhile). */
  async #dispatch(handle: WorkerHandle, jobs: Job[]): Promise<void> {
    if (handle.dead) {
      await this.#queue.requeue(jobs);
      return;
    }
    const now = this.#now();
    const unsent = handle.run(jobs, now);
    if (unsent.length > 0) this.#report(unsentReports(unsent));
    this.#deadlines.watch(jobs, now);
  }

  #onBatch(handle: WorkerHandle, message: Extract<FromWorker, { kind: "batch" }>): void {
    for (const { jobId, value } of message.progress) {
      const entry = handle.running.get(jobId);
      if (entry !== undefined && !entry.cancelled) {
        this.#queue.progress(jobId, value, entry.job.leaseToken);
      }
    }
    for (const { jobId, message: line } of message.logs) {
      const entry = handle.running.get(jobId);
      if (entry !== undefined && !entry.cancelled) {
        this.#queue.log(jobId, entry.job.attempts.length, line, entry.job.leaseToken);
      }
    }
    const reports = outcomeReports(handle, message.outcomes);
    if (reports.length > 0) this.#report(reports);
    this.#checkIdle();
    if (message.outcomes.length > 0) this.#pump();
  }

  #report(reports: AttemptReport[]): void {
    this.#queue.finish(reports).catch((error) => {
      console.error("Worker pool failed to record job outcomes:", error);
    });
  }

  /**
   * Takes a dead or killed worker out, starts another in its place, and settles its jobs (see
   * {@linkcode deadWorkerJobs}); `crash` is why it died on its own, if it did.
   */
  #replace(handle: WorkerHandle, crash: string | undefined): void {
    const index = this.#handles.indexOf(handle);
    if (index === -1) return;
    const { reports, putBack } = deadWorkerJobs(handle, crash);
    if (crash !== undefined) console.error(`Worker ${handle.id}: ${crash}; replacing it`);
    if (reports.length > 0) this.#report(reports);
    if (putBack.length > 0) {
      this.#queue.requeue(putBack).catch((error) => {
        console.error("Worker pool failed to put jobs back:", error);
      });
    }
    this.#checkIdle();
    if (this.#closed) {
      this.#handles.splice(index, 1);
      return;
    }
    this.#respawn(handle, 0);
  }

  /**
   * Starts a worker in the place of `handle` (dead, still listed) after `delay` ms. Never at
   * once: `new Worker()` holds the main thread for 10–20 ms, and the outcomes just reported
   * should reach the store first.
   */
  #respawn(handle: WorkerHandle, delay: number): void {
    const timer = setTimeout(() => {
      this.#respawns.delete(timer);
      const index = this.#handles.indexOf(handle);
      if (this.#closed || index === -1) return;
      const replacement = this.#spawn();
      this.#handles[index] = replacement;
      replacement.ready().then(() => this.#pump(), (error) => {
        console.error(`${error instanceof Error ? error.message : error}; trying again`);
        this.#respawn(replacement, 1000);
      });
    }, delay);
    this.#respawns.add(timer);
  }

  #checkIdle(): void {
    if (this.#idle.length === 0 || this.running > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
