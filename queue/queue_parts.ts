/**
 * The parts behind the `Queue` facade, built from its options and wired to each other:
 * capacity and enqueue, attempts, cancel, retry and clear, the maintenance services, waits for
 * final states, and the node's place in a cluster.
 * @module
 */

import { Attempts } from "./attempts/attempts.ts";
import { LiveAttempts } from "./attempts/live_attempts.ts";
import type { NodeOptions } from "./cluster/node_options.ts";
import { QueueCluster } from "./cluster/queue_cluster.ts";
import { Cancellation } from "./control/cancellation.ts";
import { Clearing } from "./control/clearing.ts";
import { ManualRetry } from "./control/manual_retry.ts";
import { Capacity } from "./enqueue/capacity.ts";
import { Enqueuer } from "./enqueue/enqueuer.ts";
import type { JobEvents } from "./events.ts";
import type { JobTypes } from "./handlers/job_types.ts";
import type { Job } from "./job.ts";
import type { Retention } from "./maintenance/cleaner.ts";
import { createMaintenance, type QueueMaintenance } from "./maintenance/queue_maintenance.ts";
import { FinalWaiters } from "./observe/final_waiters.ts";
import { QueueStatistics } from "./observe/queue_stats.ts";
import type { Logger } from "./primitives/logger.ts";
import type { NotifyReady } from "./ready.ts";
import type { Store } from "./store/store.ts";

/** Options for `Queue`. */
export interface QueueOptions {
  store: Store;
  /** The job types: a `HandlerRegistry`, or the server's `TypeCatalog`. */
  registry: JobTypes;
  events: JobEvents;
  /** Unfinished jobs allowed at once. Default 10,000. */
  capacity?: number;
  /** Milliseconds an enqueue waits for room before it is refused. Default 5,000. */
  enqueueWait?: number;
  /**
   * On a store shared by a cluster: milliseconds between counts of every node's unfinished
   * jobs, on which capacity is rebased. Default 200.
   */
  capacityRefreshMs?: number;
  /** Milliseconds a claimed job's lease lasts unless renewed. Default 30,000. */
  leaseMs?: number;
  /** How long and how many finished jobs are kept. */
  retention?: Partial<Retention>;
  /** This process's name on the leases it holds. Default: host, pid and a random part. */
  owner?: string;
  /** This process as a node of the cluster: its name, heartbeat, timeout and load. */
  node?: NodeOptions;
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

/** The queue's settings once defaults are applied, and what the parts call back. */
export interface QueuePartsContext {
  owner: string;
  leaseMs: number;
  retention: Retention;
  now: () => number;
  /** Whether the queue still takes work. */
  closed: () => boolean;
  notifyReady: NotifyReady;
  /** A job was cancelled (the pool aborts it if it runs). */
  notifyCancelled: (jobId: string) => void;
  /** The job with its live progress and logs, for the waits for final states. */
  get: (id: string) => Promise<Job | undefined>;
}

/** The parts behind the `Queue` facade. */
export interface QueueParts {
  statistics: QueueStatistics;
  capacity: Capacity;
  live: LiveAttempts;
  maintenance: QueueMaintenance;
  enqueuer: Enqueuer;
  attempts: Attempts;
  cancellation: Cancellation;
  retries: ManualRetry;
  clearing: Clearing;
  finalWaiters: FinalWaiters;
  clustering: QueueCluster;
}

/**
 * @example
 * ```ts ignore
 * const parts = buildQueueParts(options, { owner, leaseMs, retention, now, closed, notifyReady, notifyCancelled, get });
 * await parts.enqueuer.enqueue([{ type: "noop", payload: {} }]);
 * ```
 */
export function buildQueueParts(options: QueueOptions, context: QueuePartsContext): QueueParts {
  const { store, registry, events, logger } = options;
  const { owner, leaseMs, now, closed, notifyReady } = context;
  const statistics = new QueueStatistics(now);
  const capacity = new Capacity({
    limit: options.capacity,
    enqueueWait: options.enqueueWait,
    finishingRate: () => statistics.finishingRate(),
  });
  const live = new LiveAttempts(now);
  const maintenance = createMaintenance({
    store,
    events,
    finish: (reports, options) => attempts.finish(reports, options),
    leaseMs,
    retention: context.retention,
    notifyReady,
    now,
    logger,
  });
  const wakeAt = (at: number) => maintenance.scheduler.wakeAt(at);
  const enqueuer = new Enqueuer({
    store,
    registry,
    events,
    capacity,
    now,
    closed,
    wakeAt,
    notifyReady,
  });
  const attempts = new Attempts({
    store,
    events,
    live,
    capacity,
    statistics,
    owner,
    leaseMs,
    removeCompleted: context.retention.completed === 0,
    now,
    random: options.random ?? Math.random,
    closed,
    wakeAt,
    notifyReady,
  });
  const cancellation = new Cancellation({
    store,
    events,
    live,
    capacity,
    now,
    notifyCancelled: context.notifyCancelled,
  });
  const clustering = new QueueCluster({
    store,
    owner,
    types: registry.types(),
    node: options.node ?? {},
    capacity,
    capacityRefreshMs: options.capacityRefreshMs,
    statistics,
    events,
    maintenance,
    now,
    logger,
  });
  return {
    statistics,
    capacity,
    live,
    maintenance,
    enqueuer,
    attempts,
    cancellation,
    retries: new ManualRetry({ store, enqueuer, capacity }),
    clearing: new Clearing({ store, events, live, capacity, cancellation, now }),
    finalWaiters: new FinalWaiters(
      events,
      context.get,
      (listener) => clustering.onRemoteEvents(listener),
    ),
    clustering,
  };
}
