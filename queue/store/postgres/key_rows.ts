/**
 * The keys part in PostgreSQL: the `api_keys` table, read on every call (one lookup by primary
 * key), so a key revoked by one process is refused by every other at its next read.
 * @module
 */

import type { ApiKey } from "../../keys/api_key.ts";
import type { NewKey, StoredKey } from "../key_store.ts";
import { type KeyRow, rowToKey } from "../row_fields.ts";
import type { Queries } from "./connection.ts";

const KEY_COLUMNS = "id, name, role, secret_hash, created_at, expires_at, revoked_at, last_used_at";

/** Inserts `key`; throws, inserting nothing, when a key with its id exists. */
export async function insertKeyRow(sql: Queries, key: NewKey): Promise<ApiKey> {
  const [row] = await sql<KeyRow[]>`
    INSERT INTO api_keys (id, name, role, secret_hash, created_at, expires_at)
    VALUES (${key.id}, ${key.name}, ${key.role}, ${key.secretHash.slice()}, ${key.createdAt},
            ${key.expiresAt ?? null})
    ON CONFLICT (id) DO NOTHING
    RETURNING ${sql.unsafe(KEY_COLUMNS)}`;
  // Said in the domain's words: a unique violation would read as a storage failure.
  if (row === undefined) throw new Error(`A key with id ${key.id} already exists`);
  return rowToKey(row);
}

/** The key with `id` and its secret's digest, if there is one. */
export async function findKeyRow(sql: Queries, id: string): Promise<StoredKey | undefined> {
  const [row] = await sql<KeyRow[]>`
    SELECT ${sql.unsafe(KEY_COLUMNS)} FROM api_keys WHERE id = ${id}`;
  return row === undefined
    ? undefined
    : { key: rowToKey(row), secretHash: new Uint8Array(row.secret_hash) };
}

/** Every key, newest first; of keys made at the same instant, the one stored last first. */
export async function listKeyRows(sql: Queries): Promise<ApiKey[]> {
  const rows = await sql<KeyRow[]>`
    SELECT ${sql.unsafe(KEY_COLUMNS)} FROM api_keys ORDER BY created_at DESC, made DESC`;
  return rows.map(rowToKey);
}

/** Revokes the key at `at` unless it was revoked before; the key, or undefined for none. */
export async function revokeKeyRow(
  sql: Queries,
  { id, at }: { id: string; at: string },
): Promise<ApiKey | undefined> {
  const [row] = await sql<KeyRow[]>`
    UPDATE api_keys SET revoked_at = coalesce(revoked_at, ${at}) WHERE id = ${id}
    RETURNING ${sql.unsafe(KEY_COLUMNS)}`;
  return row === undefined ? undefined : rowToKey(row);
}

/** Records a use at `at` unless a later one is recorded. */
export async function touchKeyRow(
  sql: Queries,
  { id, at }: { id: string; at: string },
): Promise<void> {
  await sql`
    UPDATE api_keys SET last_used_at = ${at}
     WHERE id = ${id} AND (last_used_at IS NULL OR last_used_at < ${at})`;
}

/**
 * Inserts a key as another store held it, its revocation and last use included (a migration
 * between stores); throws when a key with its id exists.
 */
export async function copyKeyRow(sql: Queries, { key, secretHash }: StoredKey): Promise<void> {
  const inserted = await sql`
    INSERT INTO api_keys (${sql.unsafe(KEY_COLUMNS)})
    VALUES (${key.id}, ${key.name}, ${key.role}, ${secretHash.slice()}, ${key.createdAt},
            ${key.expiresAt ?? null}, ${key.revokedAt ?? null}, ${key.lastUsedAt ?? null})
    ON CONFLICT (id) DO NOTHING`;
  if (inserted.count === 0) throw new Error(`A key with id ${key.id} already exists`);
}
