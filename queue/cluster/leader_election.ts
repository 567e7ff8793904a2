/**
 * Leader election over the store's lease row: a node tries to take or renew the lease at every
 * heartbeat, for `leaseMs` (a few beats), and tells its listeners when it starts or stops
 * leading. A node that cannot reach the store keeps leading only until its lease runs out, as
 * the others see it; a stopping leader resigns, and the next node to try takes over at once.
 * @module
 */

import { defaultLogger, type Logger } from "../primitives/logger.ts";
import type { NodeStore } from "../store/node_store.ts";

/** Told `true` when this node starts leading, `false` when it stops. */
export type LeadershipListener = (leading: boolean) => void;

/** What the {@linkcode LeaderElection} works with. */
export interface LeaderElectionDeps {
  store: NodeStore;
  /** This node's id. */
  node: string;
  /** How long a lease lasts unless renewed, in ms. */
  leaseMs: number;
  now: () => number;
  /** Where changes of leadership and failed tries are logged. Default: `defaultLogger()`. */
  logger?: Logger;
  /** Log changes of leadership at `info` (default); `false`: at `debug` (a node alone). */
  announce?: boolean;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "../store/memory/memory_store.ts";
 * import { LeaderElection } from "./leader_election.ts";
 * const election = new LeaderElection({
 *   store: new MemoryStore(), node: "n1", leaseMs: 10_000, now: Date.now,
 * });
 * assert.equal(await election.tryLead(), true);
 * await election.resign();
 * assert.equal(election.leading, false);
 * ```
 */
export class LeaderElection {
  #deps: LeaderElectionDeps;
  #leading = false;
  /** When the lease this node holds runs out, as last written. */
  #until = 0;
  #listeners = new Set<LeadershipListener>();

  constructor(deps: LeaderElectionDeps) {
    if (!Number.isFinite(deps.leaseMs) || deps.leaseMs < 1) {
      throw new RangeError(`leaseMs must be a positive number of ms, received ${deps.leaseMs}`);
    }
    this.#deps = deps;
  }

  /** Whether this node leads. */
  get leading(): boolean {
    return this.#leading;
  }

  /** Calls `listener` at each change of leadership. Returns the unsubscribe function. */
  onChange(listener: LeadershipListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Takes or renews the lease; resolves with whether this node leads. A store that cannot be
   * reached counts as a refusal once the lease held has run out.
   */
  async tryLead(): Promise<boolean> {
    const { store, node, leaseMs, now } = this.#deps;
    const at = now();
    try {
      const leads = await store.tryLead({ node, now: at, until: at + leaseMs });
      if (leads) this.#until = at + leaseMs;
      this.#set(leads);
    } catch (error) {
      this.#logger().warn("Could not renew or take the leader lease", { error, node });
      if (now() > this.#until) this.#set(false);
    }
    return this.#leading;
  }

  /** Stops leading and frees the lease at once, for another node to take at its next beat. */
  async resign(): Promise<void> {
    const wasLeading = this.#leading;
    this.#set(false);
    this.#until = 0;
    if (wasLeading) await this.#deps.store.resign({ node: this.#deps.node });
  }

  #set(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    const message = leading ? "This node leads now" : "This node no longer leads";
    const fields = { node: this.#deps.node };
    if (this.#deps.announce === false) this.#logger().debug(message, fields);
    else this.#logger().info(message, fields);
    for (const listener of this.#listeners) listener(leading);
  }

  #logger(): Logger {
    return this.#deps.logger ?? defaultLogger();
  }
}
