/**
 * A queue as a node of a cluster: its heartbeat and leader election (the maintenance runs
 * while it leads), and, on a store shared with other nodes, the capacity counted across the
 * cluster, the job events fanned out to and from the others, and the jobs cancelled told.
 * @module
 */

import type { Capacity } from "../enqueue/capacity.ts";
import { CapacityRefresh } from "../enqueue/capacity_refresh.ts";
import type { JobEvents } from "../events.ts";
import type { QueueMaintenance } from "../maintenance/queue_maintenance.ts";
import type { QueueStatistics } from "../observe/queue_stats.ts";
import type { Logger } from "../primitives/logger.ts";
import type { Store } from "../store/store.ts";
import { CancelNews } from "./cancel_news.ts";
import { ClusterNode } from "./cluster_node.ts";
import { type EventBatchListener, EventFanout } from "./event_fanout.ts";
import { nodeIdentity, type NodeOptions } from "./node_options.ts";

/** What a {@linkcode QueueCluster} works with. */
export interface QueueClusterDeps {
  store: Store;
  /** This process's name on the leases it holds. */
  owner: string;
  /** The job types this node runs, announced with it. */
  types: string[];
  /** This node's name, heartbeat, timeout and load. */
  node: NodeOptions;
  capacity: Capacity;
  /** Milliseconds between counts of every node's unfinished jobs. Default 200. */
  capacityRefreshMs?: number;
  statistics: QueueStatistics;
  events: JobEvents;
  maintenance: QueueMaintenance;
  now: () => number;
  logger?: Logger;
}

/**
 * @example
 * ```ts ignore
 * const cluster = new QueueCluster({ store, owner, types, node: {}, capacity, statistics, events, maintenance, now });
 * cluster.startSharing();
 * await cluster.node.start();
 * await cluster.stop();
 * ```
 */
export class QueueCluster {
  /** Heartbeat and leader election; the maintenance services run while it leads. */
  readonly node: ClusterNode;
  /** On a store shared by a cluster: job events to and from the other nodes. */
  readonly fanout: EventFanout | undefined;
  /** On a store shared by a cluster: the count of every node's unfinished jobs. */
  readonly capacityRefresh: CapacityRefresh | undefined;
  /** On a store shared by a cluster: the jobs cancelled, told to and from the other nodes. */
  readonly cancelNews: CancelNews | undefined;

  constructor(deps: QueueClusterDeps) {
    const { store, owner, capacity, statistics, events, maintenance, now, logger } = deps;
    const shared = !store.exclusive;
    const countUnfinished = store.countUnfinished?.bind(store);
    if (shared && countUnfinished !== undefined) {
      this.capacityRefresh = new CapacityRefresh({
        capacity,
        countUnfinished,
        everyMs: deps.capacityRefreshMs,
        logger,
      });
      capacity.countNearLimit(this.capacityRefresh);
    }
    this.node = new ClusterNode({
      store,
      node: nodeIdentity(owner, deps.node, deps.types, now()),
      rescuer: maintenance.rescuer,
      heartbeatMs: deps.node.heartbeatMs,
      nodeTimeoutMs: deps.node.timeoutMs,
      load: deps.node.load,
      // Shared storage: the leader also looks for jobs that other nodes scheduled.
      onLeaderBeat: shared ? () => maintenance.scheduler.wakeAt(now()) : undefined,
      now,
      logger,
    });
    for (const service of Object.values(maintenance)) this.node.join(service);
    if (shared && store.broadcast !== undefined) {
      this.fanout = new EventFanout({ broadcast: store.broadcast, node: owner, events, logger });
      // Jobs other nodes finished count in this node's throughput: the cluster's.
      this.fanout.onBatch(({ finished }) =>
        statistics.finished(finished.completed, finished.failed)
      );
      this.cancelNews = new CancelNews({ broadcast: store.broadcast, node: owner, logger });
    }
  }

  /**
   * Starts counting the cluster's unfinished jobs, fanning events out and hearing the jobs
   * cancelled elsewhere, on a shared store.
   */
  startSharing(): void {
    this.capacityRefresh?.start();
    this.fanout?.start();
    this.cancelNews?.start();
  }

  /**
   * Calls `listener` with the job events of every other node, a tick at a time. Returns the
   * unsubscribe function; alone on a store, it is never called.
   */
  onRemoteEvents(listener: EventBatchListener): () => void {
    return this.fanout?.onBatch(listener) ?? (() => {});
  }

  /** Stops counting and fanning out, then leaves the cluster (a leader resigns). */
  async stop(): Promise<void> {
    await this.capacityRefresh?.stop();
    await this.fanout?.stop();
    await this.cancelNews?.stop();
    await this.node.stop();
  }
}
