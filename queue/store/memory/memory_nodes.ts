/**
 * The nodes part of the memory store: one process, so one node and a lease it always gets;
 * still kept as rows, so the API and the cluster services see the same shapes as elsewhere.
 * @module
 */

import type { LeadParams, NodeBeat, NodeRecord, NodeStore } from "../node_store.ts";

/** The lease row: who leads, until when. */
interface Lease {
  node: string;
  until: number;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryNodes } from "./memory_nodes.ts";
 * const nodes = new MemoryNodes();
 * assert.equal(await nodes.tryLead({ node: "a", now: 0, until: 10 }), true);
 * assert.equal(await nodes.tryLead({ node: "b", now: 5, until: 15 }), false);
 * ```
 */
export class MemoryNodes implements Omit<NodeStore, "jobsHeldBy"> {
  #nodes = new Map<string, NodeRecord>();
  #lease: Lease | undefined;

  registerNode(node: NodeRecord): Promise<void> {
    this.#nodes.set(node.id, copy(node));
    return Promise.resolve();
  }

  heartbeat({ id, at, workers, busy }: NodeBeat): Promise<boolean> {
    const node = this.#nodes.get(id);
    if (node === undefined) return Promise.resolve(false);
    this.#nodes.set(id, { ...node, heartbeatAt: at, workers, busy });
    return Promise.resolve(true);
  }

  listNodes(): Promise<NodeRecord[]> {
    const nodes = [...this.#nodes.values()].map(copy);
    return Promise.resolve(
      nodes.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    );
  }

  removeNode({ id, staleBefore }: { id: string; staleBefore?: number }): Promise<boolean> {
    const node = this.#nodes.get(id);
    if (node === undefined) return Promise.resolve(false);
    if (staleBefore !== undefined && node.heartbeatAt >= staleBefore) {
      return Promise.resolve(false);
    }
    return Promise.resolve(this.#nodes.delete(id));
  }

  tryLead({ node, now, until }: LeadParams): Promise<boolean> {
    const lease = this.#lease;
    if (lease !== undefined && lease.node !== node && lease.until >= now) {
      return Promise.resolve(false);
    }
    this.#lease = { node, until };
    return Promise.resolve(true);
  }

  resign({ node }: { node: string }): Promise<void> {
    if (this.#lease?.node === node) this.#lease = undefined;
    return Promise.resolve();
  }

  leader({ now }: { now: number }): Promise<string | undefined> {
    const lease = this.#lease;
    return Promise.resolve(lease !== undefined && lease.until >= now ? lease.node : undefined);
  }
}

function copy(node: NodeRecord): NodeRecord {
  return { ...node, types: [...node.types] };
}
