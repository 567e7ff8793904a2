/**
 * This process as a node of the cluster sharing its store: one beat every `heartbeatMs` writes
 * the heartbeat, tries to take or renew the leader lease, and, while leading, rescues the jobs
 * of dead nodes. The leader runs the maintenance services (`LeaderDuties`); any service can
 * join them. On a store one process uses alone, that process is the one node and leads.
 * @module
 */

import type { MaintenanceService } from "../maintenance/service.ts";
import type { Rescuer } from "../maintenance/rescuer.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { Ticker } from "../primitives/ticker.ts";
import type { NodeStore } from "../store/node_store.ts";
import { DeadNodes } from "./dead_nodes.ts";
import { LeaderDuties } from "./leader_duties.ts";
import { LeaderElection, type LeadershipListener } from "./leader_election.ts";
import { NodeHeartbeat, type NodeIdentity, type NodeLoad } from "./node_heartbeat.ts";

/** The heartbeat's default period, in ms. */
export const DEFAULT_HEARTBEAT_MS = 1_000;
/** How long without a heartbeat makes a node dead by default, in ms (also the leader lease). */
export const DEFAULT_NODE_TIMEOUT_MS = 10_000;

/** What {@linkcode ClusterNode} works with. */
export interface ClusterNodeDeps {
  /** The store's nodes part; `exclusive` when this process alone uses it. */
  store: NodeStore & { readonly exclusive: boolean };
  node: NodeIdentity;
  /** Rescues a dead node's jobs. */
  rescuer: Pick<Rescuer, "rescueHeldBy">;
  /** Default {@linkcode DEFAULT_HEARTBEAT_MS}. */
  heartbeatMs?: number;
  /** Default {@linkcode DEFAULT_NODE_TIMEOUT_MS}; the leader lease lasts as long. */
  nodeTimeoutMs?: number;
  /** The node's load at each beat. Default: no workers. */
  load?: () => NodeLoad;
  /** Called at each beat while this node leads. */
  onLeaderBeat?: () => void;
  now: () => number;
  /** Default: `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts ignore
 * const cluster = new ClusterNode({ store, node, rescuer, now: Date.now });
 * cluster.join(scheduler);
 * await cluster.start(); // the scheduler runs while this node leads
 * await cluster.stop(); // resigns and deregisters
 * ```
 */
export class ClusterNode {
  readonly heartbeatMs: number;
  readonly nodeTimeoutMs: number;
  readonly heartbeat: NodeHeartbeat;
  readonly election: LeaderElection;
  readonly duties = new LeaderDuties();
  readonly deadNodes: DeadNodes;
  #deps: ClusterNodeDeps;
  #ticker: Ticker;
  #logger: Logger;
  #started = false;
  #beatListeners = new Set<(rejoined: boolean) => void>();

  constructor(deps: ClusterNodeDeps) {
    const { store, node, now } = deps;
    this.#deps = deps;
    this.heartbeatMs = deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.nodeTimeoutMs = deps.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS;
    if (!(this.nodeTimeoutMs >= 2 * this.heartbeatMs)) {
      throw new RangeError(
        `nodeTimeoutMs must be at least twice heartbeatMs (${this.heartbeatMs}), ` +
          `received ${this.nodeTimeoutMs}`,
      );
    }
    const logger = this.#logger = deps.logger ?? defaultLogger();
    this.heartbeat = new NodeHeartbeat({ store, node, load: deps.load, now, logger });
    this.election = new LeaderElection({
      store,
      node: node.id,
      leaseMs: this.nodeTimeoutMs,
      now,
      logger,
      // Alone on a store the one node always leads: nothing worth a line.
      announce: !store.exclusive,
    });
    this.election.onChange((leading) => this.duties.lead(leading));
    this.deadNodes = new DeadNodes({
      store,
      rescuer: deps.rescuer,
      self: node.id,
      timeoutMs: this.nodeTimeoutMs,
      now,
      logger,
    });
    this.#ticker = new Ticker(
      "Heartbeat",
      this.heartbeatMs,
      () => this.#beat(),
      (error) => logger.error("Heartbeat failed", { error }),
    );
  }

  /** This node's id. */
  get id(): string {
    return this.heartbeat.id;
  }

  /** Whether this node leads (runs the maintenance services). */
  get leading(): boolean {
    return this.election.leading;
  }

  /**
   * Whether no other node can have presumed this one dead yet: its last heartbeat is younger
   * than the node timeout, less half a beat for the leader's clock and its rescue (always,
   * alone on a store). A node not standing must not start jobs it claimed: they may be
   * rescued, and run elsewhere.
   */
  get standing(): boolean {
    return this.#deps.now() < this.standingUntil;
  }

  /**
   * Until when (epoch ms) this node stands, as its last heartbeat says (see `standing`):
   * `Infinity` alone on a store.
   */
  get standingUntil(): number {
    if (this.#deps.store.exclusive) return Infinity;
    return this.heartbeat.confirmedAt + this.nodeTimeoutMs - this.heartbeatMs / 2;
  }

  /**
   * Calls `listener` after each heartbeat written; `rejoined` when the row was gone (the node
   * was presumed dead, its jobs rescued) and it registered again. Returns the unsubscribe.
   */
  onBeat(listener: (rejoined: boolean) => void): () => void {
    this.#beatListeners.add(listener);
    return () => this.#beatListeners.delete(listener);
  }

  /** Calls `listener` at each change of leadership. Returns the unsubscribe function. */
  onLeadershipChange(listener: LeadershipListener): () => void {
    return this.election.onChange(listener);
  }

  /** Adds a service that runs only while this node leads. */
  join(service: MaintenanceService): void {
    this.duties.join(service);
  }

  /** Registers, tries to lead (starting the services if it does), then beats on its own. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { store } = this.#deps;
    await this.heartbeat.register();
    // Alone on the store, any other node or lease holder is a process that died.
    if (store.exclusive) await this.#forgetOthers();
    await this.election.tryLead();
    if (this.leading) await this.#lead();
    this.#ticker.start();
  }

  /** Stops beating and the services, resigns (if leading) and removes the node's row. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#ticker.stop();
    await this.duties.stop();
    try {
      await this.election.resign();
      await this.heartbeat.deregister();
    } catch (error) {
      this.#logger.warn("Could not resign or deregister this node; it times out instead", {
        error,
      });
    }
  }

  /** One beat: heartbeat, leader lease, and the leader's look for dead nodes. */
  async #beat(): Promise<void> {
    try {
      const rejoined = !await this.heartbeat.beat();
      for (const listener of this.#beatListeners) listener(rejoined);
    } catch (error) {
      this.#logger.warn("Heartbeat not written", { error, node: this.id });
    }
    if (await this.election.tryLead()) await this.#lead();
  }

  async #lead(): Promise<void> {
    this.#deps.onLeaderBeat?.();
    await this.deadNodes.runOnce();
  }

  async #forgetOthers(): Promise<void> {
    const { store, now } = this.#deps;
    for (const node of await store.listNodes()) {
      if (node.id !== this.id) await store.removeNode({ id: node.id });
    }
    const holder = await store.leader({ now: now() });
    if (holder !== undefined && holder !== this.id) await store.resign({ node: holder });
  }
}
