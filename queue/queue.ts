/**
 * The `Queue` facade: one object over the focused parts, for the API and the pool. Enqueue
 * with capacity and backpressure (`enqueue/`), running attempts and their outcomes
 * (`attempts/`), cancel, retry, clear and delete (`control/`), stats and waiting for final
 * states (`observe/`), the maintenance services (`maintenance/`) and the node's place in a
 * cluster (`cluster/`), built by `buildQueueParts`. No HTTP and no workers in here.
 * @module
 */

import type { Attempts } from "./attempts/attempts.ts";
import type { LiveAttempts } from "./attempts/live_attempts.ts";
import type { AttemptReport } from "./attempts/settle.ts";
import type { ClusterNode } from "./cluster/cluster_node.ts";
import type { EventBatchListener, EventFanout } from "./cluster/event_fanout.ts";
import { defaultOwner } from "./cluster/node_options.ts";
import type { QueueCluster } from "./cluster/queue_cluster.ts";
import type { Cancellation } from "./control/cancellation.ts";
import type { Clearing } from "./control/clearing.ts";
import type { ManualRetry } from "./control/manual_retry.ts";
import type { Capacity } from "./enqueue/capacity.ts";
import type { EnqueueOptions, Enqueuer } from "./enqueue/enqueuer.ts";
import type { JobEvents } from "./events.ts";
import type { JobTypes } from "./handlers/job_types.ts";
import type { Job, NewJob } from "./job.ts";
import type { JobStatus } from "./lifecycle.ts";
import { DEFAULT_RETENTION, type Retention } from "./maintenance/cleaner.ts";
import type { QueueMaintenance } from "./maintenance/queue_maintenance.ts";
import type { FinalWaiters, FinalWaitOptions } from "./observe/final_waiters.ts";
import type { QueueStatistics, QueueStats } from "./observe/queue_stats.ts";
import { RecentCounts } from "./observe/recent_counts.ts";
import { buildQueueParts, type QueueOptions } from "./queue_parts.ts";
import type { ReadyListener } from "./ready.ts";
import type { ListQuery } from "./store/job_store.ts";
import type { Store } from "./store/store.ts";

export type { QueueMaintenance, QueueOptions };

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
  /** This process as a node: heartbeat, leader election; the maintenance runs while it leads. */
  readonly cluster: ClusterNode;
  /** On a store shared by a cluster: job events to and from the other nodes. */
  readonly fanout: EventFanout | undefined;
  #closed = false;
  #readyListeners = new Set<ReadyListener>();
  /** Stops hearing the store's wake-ups (other processes' jobs); set while open. */
  #unsubscribeStore: (() => void) | undefined;
  #cancelListeners = new Set<(jobId: string) => void>();
  #live: LiveAttempts;
  #statistics: QueueStatistics;
  #capacity: Capacity;
  /** Heartbeat and leader; on a shared store, capacity counts and event fan-out too. */
  #clustering: QueueCluster;
  #enqueuer: Enqueuer;
  #attempts: Attempts;
  #cancellation: Cancellation;
  #retries: ManualRetry;
  #clearing: Clearing;
  #finalWaiters: FinalWaiters;
  #recentCounts: RecentCounts;

  constructor(options: QueueOptions) {
    const { store, registry, events } = options;
    this.store = store;
    this.registry = registry;
    this.events = events;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.owner = options.owner ?? defaultOwner();
    const parts = buildQueueParts(options, {
      owner: this.owner,
      leaseMs: this.leaseMs,
      retention: this.retention,
      now: options.now ?? Date.now,
      closed: () => this.#closed,
      notifyReady: (types) => this.#notifyReady(types),
      notifyCancelled: (jobId) => {
        this.#cancelled(jobId);
        this.#clustering.cancelNews?.announce(jobId);
      },
      get: (id) => this.get(id),
    });
    this.maintenance = parts.maintenance;
    this.#statistics = parts.statistics;
    this.#capacity = parts.capacity;
    this.#live = parts.live;
    this.#enqueuer = parts.enqueuer;
    this.#attempts = parts.attempts;
    this.#cancellation = parts.cancellation;
    this.#retries = parts.retries;
    this.#clearing = parts.clearing;
    this.#finalWaiters = parts.finalWaiters;
    this.#recentCounts = new RecentCounts(
      () => store.counts(),
      options.statsMaxAgeMs ?? (store.exclusive ? 0 : 1_000),
      options.now ?? Date.now,
    );
    this.#clustering = parts.clustering;
    this.cluster = parts.clustering.node;
    this.fanout = parts.clustering.fanout;
    this.#clustering.cancelNews?.onCancelled((jobId) => this.#cancelled(jobId));
  }

  /**
   * Counts the unfinished jobs already in the store against capacity; with storage of its own,
   * rescues the jobs of the process that died and prunes. Then joins the cluster: registers
   * this node, and runs the maintenance services while it leads (always, alone on a store).
   * Resolves with how many it rescued.
   */
  async open(): Promise<{ rescued: number }> {
    // A store shared by several processes says when jobs became ready in any of them.
    this.#unsubscribeStore ??= this.store.onReady?.((types) => this.#notifyReady(new Set(types)));
    const { byStatus } = await this.store.counts();
    this.#capacity.occupy(byStatus.queued + byStatus.scheduled + byStatus["in-progress"]);
    // Shared with other nodes: what they store reaches this node's capacity at each count.
    this.#clustering.startSharing();
    let rescued = 0;
    // With storage of its own, every job still in progress belongs to a dead process. On a
    // shared store the leader rescues: dead nodes' jobs at once, expired leases as they run out.
    if (this.store.exclusive) {
      const { rescuer, cleaner } = this.maintenance;
      if (this.store.durable && byStatus["in-progress"] > 0) rescued = await rescuer.rescueAll();
      await cleaner.runOnce();
    }
    await this.cluster.start();
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
    await this.#clustering.stop();
    // Stopped with the cluster when it ran; stopped here too when open() never got that far.
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

  /**
   * Calls `listener` with the job events of every other node of the cluster, a tick at a time
   * (never with this node's own: `events` has them). Returns the unsubscribe function; alone on
   * a store, it is never called.
   */
  onRemoteEvents(listener: EventBatchListener): () => void {
    return this.#clustering.onRemoteEvents(listener);
  }

  /**
   * Calls `listener` with the id of every job cancelled, here or (on a store shared by a
   * cluster) on another node: the pool drops it if held ahead, aborts it if it runs.
   */
  onCancel(listener: (jobId: string) => void): () => void {
    this.#cancelListeners.add(listener);
    return () => this.#cancelListeners.delete(listener);
  }

  #cancelled(jobId: string): void {
    for (const listener of this.#cancelListeners) listener(jobId);
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
