/**
 * Dead-node rescue, run by the leader at each of its beats: a node whose last heartbeat is
 * older than the node timeout is dead; its running jobs are rescued at once (each attempt
 * `interrupted`, through the rescuer's fenced path, not waiting for the job leases) and then
 * its row is removed, if it is still stale. A node wrongly presumed dead finds its row gone at
 * its next beat and registers again; its late writes are refused by the attempt fencing.
 * @module
 */

import type { Rescuer } from "../maintenance/rescuer.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import type { NodeStore } from "../store/node_store.ts";

/** What {@linkcode DeadNodes} works with. */
export interface DeadNodesDeps {
  store: NodeStore;
  rescuer: Pick<Rescuer, "rescueHeldBy">;
  /** This node's id: never presumed dead by itself. */
  self: string;
  /** How long without a heartbeat makes a node dead, in ms. */
  timeoutMs: number;
  now: () => number;
  /** Where each dead node is logged. Default: `defaultLogger()`. */
  logger?: Logger;
}

/** What one pass found: the dead nodes removed and the jobs rescued from them. */
export interface DeadNodesPass {
  removed: string[];
  rescued: number;
}

/**
 * @example
 * ```ts ignore
 * const deadNodes = new DeadNodes({ store, rescuer, self: queue.owner, timeoutMs: 10_000, now: Date.now });
 * const { removed, rescued } = await deadNodes.runOnce();
 * ```
 */
export class DeadNodes {
  #deps: DeadNodesDeps;

  constructor(deps: DeadNodesDeps) {
    this.#deps = deps;
  }

  /** Finds the dead nodes, rescues their jobs and removes their rows. */
  async runOnce(): Promise<DeadNodesPass> {
    const { store, rescuer, self, timeoutMs, now } = this.#deps;
    const staleBefore = now() - timeoutMs;
    const pass: DeadNodesPass = { removed: [], rescued: 0 };
    for (const node of await store.listNodes()) {
      if (node.id === self || node.heartbeatAt >= staleBefore) continue;
      // Rescued first: should this leader die half-way, the row is still there for the next.
      const rescued = await rescuer.rescueHeldBy(node.id);
      pass.rescued += rescued;
      if (!await store.removeNode({ id: node.id, staleBefore })) continue;
      pass.removed.push(node.id);
      (this.#deps.logger ?? defaultLogger()).warn(
        `Node ${node.name} stopped heartbeating ${now() - node.heartbeatAt} ms ago: ` +
          `rescued ${rescued} job(s) it was running (each attempt interrupted) and removed it`,
        { node: node.id, rescued },
      );
    }
    return pass;
  }
}
