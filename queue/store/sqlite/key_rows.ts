/**
 * The keys part in the file: the `api_keys` table, read straight from it on every call (one
 * indexed lookup by primary key through a prepared statement), so a revocation counts at once.
 * @module
 */

import type { ApiKey } from "../../keys/api_key.ts";
import type { NewKey, StoredKey } from "../key_store.ts";
import { type KeyRow, rowToKey } from "../row_fields.ts";
import type { StatementCache } from "./statement_cache.ts";

/** Inserts `key`; throws, inserting nothing, when a key with its id exists. */
export function insertKeyRow(statements: StatementCache, key: NewKey): ApiKey {
  // Said in the domain's words: a unique constraint would read as a storage failure.
  if (findKeyRow(statements, key.id) !== undefined) {
    throw new Error(`A key with id ${key.id} already exists`);
  }
  const row = statements.prepare(
    `INSERT INTO api_keys (id, name, role, secret_hash, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
  ).get(key.id, key.name, key.role, key.secretHash, key.createdAt, key.expiresAt ?? null);
  return rowToKey(row as unknown as KeyRow);
}

/** The key with `id` and its secret's digest, if there is one. */
export function findKeyRow(statements: StatementCache, id: string): StoredKey | undefined {
  const row = statements.prepare("SELECT * FROM api_keys WHERE id = ?").get(id) as
    | KeyRow
    | undefined;
  return row === undefined ? undefined : { key: rowToKey(row), secretHash: row.secret_hash };
}

/** Every key, newest first; of keys made at the same instant, the one stored last first. */
export function listKeyRows(statements: StatementCache): ApiKey[] {
  const rows = statements.prepare("SELECT * FROM api_keys ORDER BY created_at DESC, rowid DESC")
    .all() as unknown as KeyRow[];
  return rows.map(rowToKey);
}

/** Revokes the key at `at` unless it was revoked before; the key, or undefined for none. */
export function revokeKeyRow(
  statements: StatementCache,
  { id, at }: { id: string; at: string },
): ApiKey | undefined {
  const row = statements.prepare(
    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? RETURNING *",
  ).get(at, id) as KeyRow | undefined;
  return row === undefined ? undefined : rowToKey(row);
}

/** Records a use at `at` unless a later one is recorded. */
export function touchKeyRow(
  statements: StatementCache,
  { id, at }: { id: string; at: string },
): void {
  statements.prepare(
    `UPDATE api_keys SET last_used_at = ?
       WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
  ).run(at, id, at);
}
