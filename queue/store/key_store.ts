/**
 * The keys part of the store contract: API keys, each stored with a digest of its secret and
 * never the secret itself. The store keeps and reads keys; `ApiKeys` (queue/keys/) decides what
 * a key presented is worth (its digest, revocation, expiry).
 * @module
 */

import type { ApiKey, Role } from "../keys/api_key.ts";

/** A key to store: checked and made by `ApiKeys`, stored as given. */
export interface NewKey {
  id: string;
  name: string;
  role: Role;
  /** SHA-256 of the secret token (32 bytes). */
  secretHash: Uint8Array;
  /** ISO 8601, as `toISOString()` writes it (as every time below). */
  createdAt: string;
  expiresAt?: string;
}

/** A stored key and the digest a presented secret is compared with. */
export interface StoredKey {
  key: ApiKey;
  secretHash: Uint8Array;
}

/**
 * What every driver provides for keys. Expectations every driver meets (the keys contract
 * suite checks them on each):
 * - Every call reads or writes the store itself: a key revoked by one process is refused by
 *   every other process sharing the store at its next read, with no cache to wait out.
 * - Times are ISO 8601 strings in `toISOString()`'s form, so they order as text.
 * - What a call returns is the caller's own copy: changing it changes nothing stored.
 * - The store knows nothing of expiry: an expired key is stored and listed like any other;
 *   whether it is still good is `ApiKeys`'s decision.
 * - Keys are never deleted, only revoked, so the list keeps who had access and when.
 */
export interface KeyStore {
  /**
   * Stores a new key and returns it. Rejects, storing nothing, when a key with that id exists.
   */
  createKey(params: NewKey): Promise<ApiKey>;
  /** The key with `id` and its secret's digest, or undefined when there is none. */
  findKey(params: { id: string }): Promise<StoredKey | undefined>;
  /**
   * Every key, revoked and expired ones included (they carry `revokedAt`, `expiresAt`), newest
   * first by `createdAt`; keys made at the same instant, the one stored last first.
   */
  listKeys(): Promise<ApiKey[]>;
  /**
   * Marks the key revoked at `at` and returns it; a key revoked already keeps its first
   * `revokedAt`. Undefined when there is no such key.
   */
  revokeKey(params: { id: string; at: string }): Promise<ApiKey | undefined>;
  /**
   * Records that the key was accepted at `at`, unless a later use is recorded already. Nothing
   * happens for an unknown id. A write: callers throttle it (`ApiKeys` does, per key).
   */
  touchKey(params: { id: string; at: string }): Promise<void>;
}
