/**
 * What only the SQLite store does for keys: they live in the file (surviving a restart), as a
 * digest in a blob, in a table a migration adds to a database of the schema before.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteStore } from "../../../queue/store/sqlite/sqlite_store.ts";
import { migrate } from "../../../queue/store/sqlite/schema.ts";

const AT = "2030-01-01T00:00:00.000Z";

function tempPath(): string {
  return `${Deno.makeTempDirSync({ prefix: "denoqueue-keys-" })}/jobs.db`;
}

Deno.test("SqliteStore keeps keys, revocations and uses across a reopening", async () => {
  const path = tempPath();
  const first = SqliteStore.open(path);
  const digest = new Uint8Array(32).map((_, i) => i);
  await first.createKey({ id: "a", name: "ci", role: "admin", secretHash: digest, createdAt: AT });
  await first.createKey({
    id: "b",
    name: "gone",
    role: "viewer",
    secretHash: digest,
    createdAt: AT,
  });
  await first.revokeKey({ id: "b", at: AT });
  await first.touchKey({ id: "a", at: AT });
  await first.close();
  const second = SqliteStore.open(path);
  try {
    const found = await second.findKey({ id: "a" });
    assert.deepEqual(found?.key, {
      id: "a",
      name: "ci",
      role: "admin",
      createdAt: AT,
      lastUsedAt: AT,
    });
    assert.deepEqual([...found!.secretHash], [...digest]);
    assert.equal((await second.findKey({ id: "b" }))?.key.revokedAt, AT);
    assert.equal((await second.listKeys()).length, 2);
  } finally {
    await second.close();
  }
});

Deno.test("SqliteStore stores a key's digest as a 32-byte blob and nothing else of its secret", async () => {
  const path = tempPath();
  const store = SqliteStore.open(path);
  await store.createKey({
    id: "a",
    name: "ci",
    role: "producer",
    secretHash: new Uint8Array(32).fill(9),
    createdAt: AT,
  });
  await store.close();
  const db = new DatabaseSync(path);
  try {
    const row = db.prepare(
      "SELECT typeof(secret_hash) AS kind, length(secret_hash) AS n FROM api_keys",
    )
      .get() as { kind: string; n: number };
    assert.deepEqual({ ...row }, { kind: "blob", n: 32 });
    const columns = db.prepare("PRAGMA table_info(api_keys)").all().map((c) => c.name);
    assert.deepEqual(columns, [
      "id",
      "name",
      "role",
      "secret_hash",
      "created_at",
      "expires_at",
      "revoked_at",
      "last_used_at",
    ]);
  } finally {
    db.close();
  }
});

/** The schema version that added the keys table. */
const KEYS_VERSION = 4;

Deno.test("SqliteStore.open() adds the keys table to a database of the schema before", async () => {
  const path = tempPath();
  const old = new DatabaseSync(path);
  migrate(old, KEYS_VERSION - 1);
  const tables = () =>
    old.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'").all();
  assert.deepEqual(tables(), [], "the schema before has no keys");
  old.close();
  const store = SqliteStore.open(path);
  try {
    assert.equal(store.migratedFrom, KEYS_VERSION - 1);
    assert.deepEqual(await store.listKeys(), []);
    await store.createKey({
      id: "a",
      name: "ci",
      role: "viewer",
      secretHash: new Uint8Array(32),
      createdAt: AT,
    });
    assert.equal((await store.findKey({ id: "a" }))?.key.role, "viewer");
  } finally {
    await store.close();
  }
});
