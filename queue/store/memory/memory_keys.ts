/**
 * The keys part of the memory store: keys in a map, in the order they were made. Whatever it
 * hands out is a copy, so nothing a caller does to a key changes the stored one.
 * @module
 */

import type { ApiKey } from "../../keys/api_key.ts";
import type { KeyStore, NewKey, StoredKey } from "../key_store.ts";

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryKeys } from "./memory_keys.ts";
 * const keys = new MemoryKeys();
 * const at = "2030-01-01T00:00:00.000Z";
 * await keys.createKey({
 *   id: "k1", name: "ci", role: "producer", secretHash: new Uint8Array(32), createdAt: at,
 * });
 * assert.equal((await keys.revokeKey({ id: "k1", at }))?.revokedAt, at);
 * ```
 */
export class MemoryKeys implements KeyStore {
  /** By id, in the order made (a `Map` keeps it). */
  #keys = new Map<string, StoredKey>();

  createKey({ secretHash, ...fields }: NewKey): Promise<ApiKey> {
    if (this.#keys.has(fields.id)) {
      return Promise.reject(new Error(`A key with id ${fields.id} already exists`));
    }
    const key: ApiKey = withoutUndefined({ ...fields });
    this.#keys.set(key.id, { key, secretHash: secretHash.slice() });
    return Promise.resolve({ ...key });
  }

  findKey({ id }: { id: string }): Promise<StoredKey | undefined> {
    const stored = this.#keys.get(id);
    return Promise.resolve(
      stored && { key: { ...stored.key }, secretHash: stored.secretHash.slice() },
    );
  }

  listKeys(): Promise<ApiKey[]> {
    const made = [...this.#keys.values()].map(({ key }) => ({ ...key })).reverse();
    // Stable: keys made at the same instant stay last made first.
    return Promise.resolve(made.sort((a, b) => compare(b.createdAt, a.createdAt)));
  }

  revokeKey({ id, at }: { id: string; at: string }): Promise<ApiKey | undefined> {
    const stored = this.#keys.get(id);
    if (stored === undefined) return Promise.resolve(undefined);
    stored.key.revokedAt ??= at;
    return Promise.resolve({ ...stored.key });
  }

  touchKey({ id, at }: { id: string; at: string }): Promise<void> {
    const key = this.#keys.get(id)?.key;
    if (key !== undefined && (key.lastUsedAt === undefined || key.lastUsedAt < at)) {
      key.lastUsedAt = at;
    }
    return Promise.resolve();
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `fields` without the optional ones given as undefined, as every driver hands keys out. */
function withoutUndefined<T extends object>(fields: T): T {
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) delete (fields as Record<string, unknown>)[name];
  }
  return fields;
}
