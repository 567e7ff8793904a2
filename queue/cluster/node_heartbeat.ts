/**
 * A node's heartbeat: its row registered at start, beaten with its load, and removed at a
 * clean stop. A beat that finds the row gone (the leader presumed this node dead, say after a
 * stall on a starved machine) registers it again: the node carries on, and the attempts it had
 * running were rescued already, their late writes refused by the store's fencing.
 * @module
 */

import { defaultLogger, type Logger } from "../primitives/logger.ts";
import type { NodeRecord, NodeStore } from "../store/node_store.ts";

/** How busy a node is, as its heartbeat reports it. */
export interface NodeLoad {
  workers: number;
  busy: number;
}

/** Who a node is: its row without what each beat changes. */
export type NodeIdentity = Omit<NodeRecord, "heartbeatAt" | "workers" | "busy">;

/** What the {@linkcode NodeHeartbeat} works with. */
export interface NodeHeartbeatDeps {
  store: NodeStore;
  node: NodeIdentity;
  /** The node's load at each beat. Default: no workers. */
  load?: () => NodeLoad;
  now: () => number;
  /** Where a re-registration is logged. Default: `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory/memory_store.ts";
 * import { NodeHeartbeat } from "./node_heartbeat.ts";
 * const store = new MemoryStore();
 * const node = { id: "n1", name: "n1", host: "h", version: "0", startedAt: 0, types: [] };
 * const heartbeat = new NodeHeartbeat({ store, node, now: () => 1 });
 * await heartbeat.register();
 * assert.equal(await heartbeat.beat(), true);
 * await heartbeat.deregister();
 * assert.deepEqual(await store.listNodes(), []);
 * ```
 */
export class NodeHeartbeat {
  #deps: NodeHeartbeatDeps;
  #registrations = 0;
  #confirmedAt = -Infinity;

  constructor(deps: NodeHeartbeatDeps) {
    this.#deps = deps;
  }

  /** The node's id (the queue's `owner`). */
  get id(): string {
    return this.#deps.node.id;
  }

  /**
   * When the last heartbeat written (or the registration) was taken, epoch ms: the others
   * presume this node dead a node timeout after it.
   */
  get confirmedAt(): number {
    return this.#confirmedAt;
  }

  /** Times the node registered again after finding its row gone. */
  get reRegistrations(): number {
    return Math.max(0, this.#registrations - 1);
  }

  /** Writes the node's row, now as its first heartbeat. */
  async register(): Promise<void> {
    const { store, node, now } = this.#deps;
    const at = now();
    await store.registerNode({ ...node, types: [...node.types], heartbeatAt: at, ...this.#load() });
    this.#confirmedAt = at;
    this.#registrations++;
  }

  /**
   * Beats; resolves true when the row was there, false when it was gone and the node has
   * registered again.
   */
  async beat(): Promise<boolean> {
    const { store, now } = this.#deps;
    const at = now();
    if (await store.heartbeat({ id: this.id, at, ...this.#load() })) {
      this.#confirmedAt = at;
      return true;
    }
    (this.#deps.logger ?? defaultLogger()).warn(
      "This node's row was gone (presumed dead after missed heartbeats): registering again; " +
        "the jobs it was running were rescued, and their late results are refused",
      { node: this.id },
    );
    await this.register();
    return false;
  }

  /** Removes the node's row: a clean stop. */
  async deregister(): Promise<void> {
    await this.#deps.store.removeNode({ id: this.id });
  }

  #load(): NodeLoad {
    const { workers, busy } = this.#deps.load?.() ?? { workers: 0, busy: 0 };
    return { workers, busy };
  }
}
