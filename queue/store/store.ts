/**
 * The storage seam: one interface, grown by parts, each with its contract suite that every
 * driver passes (memory, SQLite, later PostgreSQL). Jobs and keys today; nodes and schedules
 * join as their own parts. The queue decides what a job becomes; a store applies it.
 * @module
 */

import type { JobStore } from "./job_store.ts";
import type { KeyStore } from "./key_store.ts";

/** What every storage driver provides: each part of the contract, and its own life. */
export interface Store extends JobStore, KeyStore {
  /** Whether jobs survive a restart: decides whether shutdown puts jobs back or cancels them. */
  readonly durable: boolean;
  /**
   * Whether this process alone uses the storage (SQLite holds a lock file): then every
   * in-progress job found at start-up belongs to a dead process and is rescued at once.
   */
  readonly exclusive: boolean;
  close(): Promise<void>;
}
