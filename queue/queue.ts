/**
 * The `Queue` facade: one object over the focused parts, for the API and the pool. Enqueue
 * with capacity and backpressure (`enqueue/`), running attempts and their outcomes
 * (`attempts/`), cancel, retry, clear and delete (`control/`), stats and waiting for final
 * states (`observe/`), and the maintenance services (`maintenance/`). No HTTP and no workers
 * in here.
 * @module
 */

import { Attempts } from "./attempts/attempts.ts";
import { LiveAttempts } from "./attempts/live_attempts.ts";
import type { AttemptReport } from "./attempts/settle.ts";
import { Cancellation } from "./control/cancellation.ts";
import { Clearing } from "./control/clearing.ts";
import { ManualRetry } from "./control/manual_retry.ts";
import { Capacity } from "./enqueue/capacity.ts";
import { type EnqueueOptions, Enqueuer } from "./enqueue/enqueuer.ts";
import type { JobEvents } from "./events.ts";
import type { JobTypes } from "./handlers/job_types.ts";
import type { Job, NewJob } from "./job.ts";
import type { JobStatus } from "./lifecycle.ts";
import { Cleaner, DEFAULT_RETENTION, type Retention } from "./maintenance/cleaner.ts";
import { Rescuer } from "./maintenance/rescuer.ts";
import { Scheduler } from "./maintenance/scheduler.ts";
import { FinalWaiters, type FinalWaitOptions } from "./observe/final_waiters.ts";
import { RecentCounts } from "./observe/recent_counts.ts";
import { QueueStatistics, type QueueStats } from "./observe/queue_stats.ts";
import type { Logger } from "./primitives/logger.ts";
import type { ReadyListener } from "./ready.ts";
import type { ListQuery } from "./store/job_store.ts";
import type { Store } from "./store/store.ts";

/** Options for {@linkcode Queue}. */
export interface QueueOptions {
  store: Store;
  /** The job types: a `HandlerRegistry`, or the server's `TypeCatalog`. */
  registry: JobTypes;
  events: JobEvents;
  /** Unfinished jobs allowed at once. Default 10,000. */
  capacity?: number;
  /** Milliseconds an enqueue waits for room before it is refused. Default 5,000. */
  enqueueWait?: number;
  /** Milliseconds a claimed job's lease lasts unless renewed. Default 30,000. */
  leaseMs?: number;
  /** How long and how many finished jobs are kept. */
  retention?: Partial<Retention>;
  /** This process's name on the leases it holds. Default: host, pid and a random part. */
  owner?: string;
  /** Where the maintenance services log their failures. Default: `defaultLogger()`. */
  logger?: Logger;
  now?: () => number;
  random?: () => number;
  /**
   * Milliseconds the counts in `stats()` may be reused. Default: 0 on a store of this process
   * alone (counted as it writes), 1,000 on a shared one (a query over the whole table).
   */
  statsMaxAgeMs?: number;
}

/** The queue's maintenance services, each runnable once on demand. */
export interface QueueMaintenance {
  readonly scheduler: Scheduler;
  readonly rescuer: Rescuer;
  readonly cleaner: Cleaner;
}

/**
 * @example
 * ```ts ignore
 * const queue = new Queue({ store, registry, events });
 * await queue.open();
 * const [job] = await queue.enqueue([{ type: "noop", payload: {} }]);
 * await queue.close(); // then store.close()
 * ```
 */
export class Queue {
  readonly store: Store;
  readonly registry: JobTypes;
  readonly events: JobEvents;
  readonly owner: string;
  readonly leaseMs: number;
  readonly retention: Retention;
  readonly maintenance: QueueMaintenance;
  #closed = false;
  #readyListeners = new Set<ReadyListener>();
  /** Stops hearing the store's wake-ups (other processes' jobs); set while open. */
  #unsubscribeStore: (() => void) | undefined;
  #cancelListeners = new Set<(jobId: string) => void>();
  #live: LiveAttempts;
  #statistics: QueueStatistics;
  #capacity: Capacity;
  #enqueuer: Enqueuer;
  #attempts: Attempts;
  #cancellation: Cancellation;
  #retries: ManualRetry;
  #clearing: Clearing;
  #finalWaiters: FinalWaiters;
  #recentCounts: RecentCounts;

  constructor(options: QueueOptions) {
    const { store, registry, events } = options;
    const now = options.now ?? Date.now;
    this.store = store;
    this.registry = registry;
    this.events = events;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.owner = options.owner ?? defaultOwner();
    const statistics = this.#statistics = new QueueStatistics(now);
    this.#recentCounts = new RecentCounts(
      () => store.counts(),
      options.statsMaxAgeMs ?? (store.exclusive ? 0 : 1_000),
      now,
    );
    const capacity = this.#capacity = new Capacity({
      limit: options.capacity,
      enqueueWait: options.enqueueWait,
      finishingRate: () => statistics.finishingRate(),
    });
    const live = this.#live = new LiveAttempts(now);
    const closed = () => this.#closed;
    const notifyReady = (types: ReadonlySet<string>) => this.#notifyReady(types);
    const { logger } = options;
    const scheduler = new Scheduler({ store, events, now, notifyReady, logger });
    const wakeAt = (at: number) => scheduler.wakeAt(at);
    this.#enqueuer = new Enqueuer({
      store,
      registry,
      events,
      capacity,
      now,
      closed,
      wakeAt,
      notifyReady,
    });
    const attempts = this.#attempts = new Attempts({
      store,
      events,
      live,
      capacity,
      statistics,
      owner: this.owner,
      leaseMs: this.leaseMs,
      now,
      random: options.random ?? Math.random,
      closed,
      wakeAt,
      notifyReady,
    });
    const cancellation = this.#cancellation = new Cancellation({
      store,
      events,
      live,
      capacity,
      now,
      notifyCancelled: (jobId) => {
        for (const listener of this.#cancelListeners) listener(jobId);
      },
    });
    this.#retries = new ManualRetry({ store, enqueuer: this.#enqueuer, capacity });
    this.#clearing = new Clearing({ store, events, live, capacity, cancellation, now });
    this.#finalWaiters = new FinalWaiters(events, (id) => this.get(id));
    this.maintenance = {
      scheduler,
      rescuer: new Rescuer({
        store,
        finish: (reports, options) => attempts.finish(reports, options),
        leaseMs: this.leaseMs,
        now,
        logger,
      }),
      cleaner: new Cleaner({ store, retention: this.retention, now, logger }),
    };
  }

  /**
   * Counts the unfinished jobs already in the store against capacity, rescues jobs whose
   * process died, prunes, and starts the maintenance services. Resolves with how many it rescued.
   */
  async open(): Promise<{ rescued: number }> {
    // A store shared by several processes says when jobs became ready in any of them.
    this.#unsubscribeStore ??= this.store.onReady?.((types) => this.#notifyReady(new Set(types)));
    const { byStatus } = await this.store.counts();
    this.#capacity.occupy(byStatus.queued + byStatus.scheduled + byStatus["in-progress"]);
    const { scheduler, rescuer, cleaner } = this.maintenance;
    let rescued = 0;
    // With storage of its own, every job still in progress belongs to a dead process.
    if (this.store.durable && byStatus["in-progress"] > 0) {
      rescued = await (this.store.exclusive ? rescuer.rescueAll() : rescuer.runOnce());
    }
    await cleaner.runOnce();
    scheduler.start();
    rescuer.start();
    cleaner.start();
    return { rescued };
  }

  /**
   * Refuses new enqueues and ends waits for final states at once; resolves once the
   * maintenance services have stopped, a run in progress included, so the store can close.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribeStore?.();
    this.#unsubscribeStore = undefined;
    this.#capacity.close();
    this.#finalWaiters.close();
    await Promise.all(Object.values(this.maintenance).map((service) => service.stop()));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Calls `listener` whenever jobs become ready to claim (enqueued, promoted when due, put
   * back, retried by hand), with their types. Returns the unsubscribe function.
   */
  onReady(listener: ReadyListener): () => void {
    this.#readyListeners.add(listener);
    return () => this.#readyListeners.delete(listener);
  }

  #notifyReady(types: ReadonlySet<string>): void {
    for (const listener of this.#readyListeners) listener(types);
  }

  /** Calls `listener` with the id of every job cancelled (the pool aborts it if it runs). */
  onCancel(listener: (jobId: string) => void): () => void {
    this.#cancelListeners.add(listener);
    return () => this.#cancelListeners.delete(listener);
  }

  /** See {@linkcode Enqueuer.enqueue}: all or nothing, waiting for room. */
  enqueue(items: NewJob[], options?: EnqueueOptions): Promise<Job[]> {
    return this.#enqueuer.enqueue(items, options);
  }

  /**
   * Hands up to `limit` queued jobs to `workerId`, oldest first: of any type, or (with
   * `types`) of those only, an empty list taking none.
   */
  claim(limit: number, workerId: string, types?: readonly string[]): Promise<Job[]> {
    return this.#attempts.claim(limit, workerId, types);
  }

  /** Extends the leases of the attempts this process runs; resolves with the ids renewed. */
  renewLeases(jobs: Pick<Job, "id" | "leaseToken">[]): Promise<string[]> {
    return this.#attempts.renewLeases(jobs);
  }

  /** Records progress reported by a running attempt. */
  progress(jobId: string, value: number, leaseToken?: string): void {
    this.#attempts.progress(jobId, value, leaseToken);
  }

  /** Records a log line written by a running attempt. */
  log(jobId: string, attempt: number, message: string, leaseToken?: string): void {
    this.#attempts.log(jobId, attempt, message, leaseToken);
  }

  /**
   * Ends attempts with the retry policy; a report whose attempt is no longer current is
   * refused. Resolves with how many were ended.
   */
  finish(reports: AttemptReport[]): Promise<number> {
    return this.#attempts.finish(reports);
  }

  /** Puts running jobs back without losing an attempt: queued, or scheduled `delayMs` later. */
  requeue(jobs: Job[], options?: { delayMs?: number }): Promise<void> {
    return this.#attempts.requeue(jobs, options);
  }

  /** Cancels a queued, scheduled or running job (a running one's worker is told). */
  cancel(id: string, reason?: string): Promise<Job> {
    return this.#cancellation.cancel(id, reason);
  }

  /** Creates a new job from a failed or cancelled one, pointing back with `retryOf`. */
  retry(id: string, options?: Pick<EnqueueOptions, "signal">): Promise<Job> {
    return this.#retries.retry(id, options);
  }

  /** Retries every failed (or cancelled) job not retried yet, oldest first, while room lasts. */
  retryAll(status: "failed" | "cancelled"): Promise<{ retried: number; remaining: number }> {
    return this.#retries.retryAll(status);
  }

  /** Removes a job; a running one is cancelled first. */
  delete(id: string): Promise<Job> {
    return this.#clearing.delete(id);
  }

  /** Removes every job, or every job with `status`; resolves with how many. */
  clear(status?: JobStatus): Promise<number> {
    return this.#clearing.clear(status);
  }

  /**
   * Resolves with the job once it is final, or its current state when the wait ends first
   * (`options.timeout`, or `options.signal` aborting: a client that left).
   */
  waitForFinal(id: string, options: FinalWaitOptions): Promise<Job | undefined> {
    return this.#finalWaiters.wait(id, options);
  }

  /** Waits for final jobs in progress now (`waitForFinal`); each holds a timer until it ends. */
  get finalWaits(): number {
    return this.#finalWaiters.size;
  }

  /** The job with its live progress and logs, or `undefined`. */
  async get(id: string): Promise<Job | undefined> {
    const job = await this.store.get({ id });
    return job === undefined ? undefined : this.#live.withLive(job);
  }

  list(query: ListQuery): Promise<Job[]> {
    return this.store.list(query);
  }

  async stats(): Promise<QueueStats> {
    const counts = await this.#recentCounts.read();
    return this.#statistics.snapshot(counts, this.#capacity.usage());
  }
}

/** `host:pid:random`, or `pid:random` where reading the host name is not allowed. */
function defaultOwner(): string {
  const suffix = `${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  try {
    return `${Deno.hostname()}:${suffix}`;
  } catch {
    return suffix;
  }
}
