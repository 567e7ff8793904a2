/**
 * The storage seam: one interface, grown by parts, each with its contract suite that every
 * driver passes (memory, SQLite, PostgreSQL): jobs, keys and nodes; schedules join as their
 * own part. The queue decides what a job becomes; a store applies it.
 * @module
 */

import type { Broadcast } from "./broadcast.ts";
import type { JobStore } from "./job_store.ts";
import type { KeyStore } from "./key_store.ts";
import type { NodeStore } from "./node_store.ts";

/** What every storage driver provides: each part of the contract, and its own life. */
export interface Store extends JobStore, KeyStore, NodeStore {
  /** Whether jobs survive a restart: decides whether shutdown puts jobs back or cancels them. */
  readonly durable: boolean;
  /**
   * Whether this process alone uses the storage (SQLite holds a lock file): then every
   * in-progress job found at start-up belongs to a dead process and is rescued at once.
   */
  readonly exclusive: boolean;
  /**
   * Optional: calls `listener` when jobs become ready to claim through another process sharing
   * the storage (PostgreSQL: `LISTEN/NOTIFY`, with a slow safety poll), with their types (empty
   * when too many to name). Returns the unsubscribe function. A store used by one process alone
   * leaves it out: the queue knows what it made ready itself.
   */
  onReady?(listener: ReadyListener): () => void;
  /**
   * Optional, on a store shared by several processes: the unfinished jobs (queued, scheduled,
   * in progress) stored now, in one cheap read, whoever stored them: what capacity counts in a
   * cluster. A store used by one process alone leaves it out: its own tally is exact.
   */
  countUnfinished?(): Promise<number>;
  /** Optional, on a store shared by several processes: messages to the others, by topic. */
  readonly broadcast?: Broadcast;
  close(): Promise<void>;
}

/** Told the job types that became ready; an empty list means "some, of any type". */
export type ReadyListener = (types: string[]) => void;
