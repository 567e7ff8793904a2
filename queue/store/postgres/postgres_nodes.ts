/**
 * The nodes part of the PostgreSQL store, on a connection of its own (one, kept open): the
 * heartbeat and the leader lease never queue behind claims and outcomes in the store's pool,
 * so a busy node still beats on time. The jobs a node holds are read through the pool.
 * @module
 */

import type { Job } from "../../job.ts";
import type { LeadParams, NodeBeat, NodeRecord, NodeStore } from "../node_store.ts";
import { asStoreError, type Sql } from "./connection.ts";
import { giveUpLease, leaseHolder, takeLease } from "./leader_lease.ts";
import {
  beatNodeRow,
  heldJobRows,
  listNodeRows,
  removeNodeRow,
  upsertNodeRow,
} from "./node_rows.ts";

/**
 * @example
 * ```ts ignore
 * const nodes = new PostgresNodes(connect(url, { ...options, max: 1, keepOpen: true }), sql);
 * await nodes.heartbeat({ id, at: Date.now(), workers: 4, busy: 1 });
 * ```
 */
export class PostgresNodes implements NodeStore {
  /** The node's own connection. */
  #own: Sql;
  /** The store's pool, for reading jobs. */
  #pool: Sql;

  constructor(own: Sql, pool: Sql) {
    this.#own = own;
    this.#pool = pool;
  }

  registerNode(node: NodeRecord): Promise<void> {
    return guard(upsertNodeRow(this.#own, node));
  }

  heartbeat(beat: NodeBeat): Promise<boolean> {
    return guard(beatNodeRow(this.#own, beat));
  }

  listNodes(): Promise<NodeRecord[]> {
    return guard(listNodeRows(this.#own));
  }

  removeNode(params: { id: string; staleBefore?: number }): Promise<boolean> {
    return guard(removeNodeRow(this.#own, params));
  }

  jobsHeldBy(params: { node: string; limit: number }): Promise<Job[]> {
    return guard(heldJobRows(this.#pool, params));
  }

  tryLead(params: LeadParams): Promise<boolean> {
    return guard(takeLease(this.#own, params));
  }

  resign({ node }: { node: string }): Promise<void> {
    return guard(giveUpLease(this.#own, node));
  }

  leader({ now }: { now: number }): Promise<string | undefined> {
    return guard(leaseHolder(this.#own, now));
  }

  /** Closes the node's connection (the pool is the store's to close). */
  async close(): Promise<void> {
    await this.#own.end({ timeout: 5 });
  }
}

/** `promise`, rejecting with `StoreUnavailableError` when the server is out of reach. */
function guard<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error) => {
    throw asStoreError(error);
  });
}
