/**
 * The nodes part of the store contract: the processes sharing a store, each registered with
 * what it can run and heartbeating, and the leader lease that picks the one of them running
 * maintenance. On a store one process uses alone it is trivial, but real: that process is the
 * one node and always leads.
 * @module
 */

import type { Job } from "../job.ts";

/** A node as registered: who it is, what it runs, and its last heartbeat. Times in epoch ms. */
export interface NodeRecord {
  /** The queue's `owner`: the name its leases carry. */
  id: string;
  /** What people call it (the host name and pid unless set). */
  name: string;
  host: string;
  /** The DenoQueue version it runs. */
  version: string;
  startedAt: number;
  heartbeatAt: number;
  /** Worker places in its pool, and how many are busy. */
  workers: number;
  busy: number;
  /** The job types it has handlers for, sorted: the only ones it claims. */
  types: string[];
}

/** What a heartbeat writes. */
export interface NodeBeat {
  id: string;
  at: number;
  workers: number;
  busy: number;
}

/** A leader lease asked for: `node` leads until `until` if the lease is free, expired or its own. */
export interface LeadParams {
  node: string;
  now: number;
  until: number;
}

/**
 * What every driver provides for nodes. Expectations every driver meets (the nodes contract
 * suite checks them on each):
 * - Registering a node stores it whole, replacing a row of the same id (a node that was
 *   presumed dead and removed registers again with the same id).
 * - A heartbeat of a node whose row is gone writes nothing and says so: the node registers
 *   again.
 * - A removal can be made conditional on the row still being stale, so a node that beat
 *   between a look and the removal keeps its row.
 * - One lease row: at most one node leads at a time (by the callers' clocks). A node takes the
 *   lease when nobody holds it, when it ran out, or when it holds it already (a renewal).
 * - What a call returns is the caller's own copy.
 */
export interface NodeStore {
  /** Stores `node`, replacing the row of the same id if there is one. */
  registerNode(node: NodeRecord): Promise<void>;
  /** Records a heartbeat; false (nothing written) when the node has no row. */
  heartbeat(beat: NodeBeat): Promise<boolean>;
  /** Every registered node, oldest start first (then by id). */
  listNodes(): Promise<NodeRecord[]>;
  /**
   * Removes the node's row; with `staleBefore`, only if its last heartbeat is older than that.
   * Resolves with whether a row was removed.
   */
  removeNode(params: { id: string; staleBefore?: number }): Promise<boolean>;
  /**
   * Up to `limit` in-progress jobs whose lease `node` holds (whatever their expiry): what a
   * dead node was running.
   */
  jobsHeldBy(params: { node: string; limit: number }): Promise<Job[]>;
  /**
   * Takes or renews the leader lease for `node` until `until`, unless another node holds it
   * unexpired at `now`. Resolves with whether `node` leads now.
   */
  tryLead(params: LeadParams): Promise<boolean>;
  /** Gives the lease up at once, if `node` holds it; the next node to try takes it. */
  resign(params: { node: string }): Promise<void>;
  /** The node holding an unexpired lease at `now`, if any. */
  leader(params: { now: number }): Promise<string | undefined>;
}
