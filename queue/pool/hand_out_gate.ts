/**
 * Whether the pool may start the jobs it claimed, on a store shared by a cluster: not while its
 * node may have been presumed dead (its heartbeat older than the node timeout, after a stall or
 * a lost connection: a leader may have rescued them, to run elsewhere), nor, once it is back,
 * before its leases were renewed (those of the jobs rescued meanwhile are lost, and dropped).
 * Alone on a store, always. Workers start the jobs queued in them only until the time it gives
 * them (`openUntil`), moved later at each beat: they too start none once their node may be
 * presumed dead.
 * @module
 */

import type { ClusterNode } from "../cluster/cluster_node.ts";
import type { Logger } from "../primitives/logger.ts";

/** What a {@linkcode HandOutGate} works with. */
export interface HandOutGateDeps {
  node: Pick<ClusterNode, "standing" | "standingUntil" | "onBeat">;
  /** Renews the leases of the jobs held and running; those lost are stopped. */
  renew: () => Promise<void>;
  /** Called when hand-outs held back may go ahead. */
  reopened: () => void;
  /** Called after each beat that moves {@linkcode HandOutGate.openUntil} later. */
  extended: () => void;
  logger: Logger;
}

/**
 * @example
 * ```ts ignore
 * const gate = new HandOutGate({ node: queue.cluster, renew, reopened, extended, logger });
 * const stop = gate.start();
 * if (gate.open()) handOut();
 * ```
 */
export class HandOutGate {
  #deps: HandOutGateDeps;
  #heldBack = false;
  /** Presumed dead and back: the leases are unconfirmed until renewed. */
  #inDoubt = false;

  constructor(deps: HandOutGateDeps) {
    this.#deps = deps;
  }

  /** Follows the node's heartbeats. Returns the function that stops it. */
  start(): () => void {
    return this.#deps.node.onBeat((rejoined) => this.#afterBeat(rejoined));
  }

  /**
   * Until when (epoch ms) jobs handed out may start, as the last beat says: a worker starts
   * none of the jobs it holds past it (0 while the leases are in doubt; `Infinity` alone).
   */
  openUntil(): number {
    return this.#inDoubt ? 0 : this.#deps.node.standingUntil;
  }

  /** Whether jobs may be handed out now; when not, `reopened` is called once they may. */
  open(): boolean {
    this.#heldBack = this.#inDoubt || !this.#deps.node.standing;
    return !this.#heldBack;
  }

  #afterBeat(rejoined: boolean): void {
    if (rejoined || this.#inDoubt) {
      this.#inDoubt = true;
      this.#deps.renew().then(() => {
        this.#inDoubt = false;
        this.#deps.extended();
        this.#deps.reopened();
      }, (error) => this.#deps.logger.error("Lease renewal failed", { error }));
      return;
    }
    this.#deps.extended();
    if (this.#heldBack) this.#deps.reopened();
  }
}
