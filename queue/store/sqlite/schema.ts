/**
 * The SQLite schema and its migrations, applied in order at start-up and recorded in a
 * version table. A database written by a newer DenoQueue, or not by DenoQueue, is refused.
 *
 * Columns hold what queries filter and order on; everything else of a job is one JSON `data`
 * column, written whole. Partial indexes cover only the rows each query looks for, so a job
 * moving through its states touches few index entries.
 * @module
 */

import type { DatabaseSync } from "node:sqlite";

/** Each entry moves the schema from version i to i+1. */
export const MIGRATIONS: readonly string[] = [
  // 1: jobs.
  `CREATE TABLE jobs (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     type TEXT NOT NULL,
     run_at INTEGER NOT NULL,
     finished_at INTEGER,
     data TEXT NOT NULL
   );
   CREATE INDEX jobs_queued ON jobs (seq) WHERE status = 'queued';
   CREATE INDEX jobs_scheduled ON jobs (run_at) WHERE status = 'scheduled';
   CREATE INDEX jobs_finished ON jobs (status, seq)
     WHERE status IN ('completed', 'failed', 'cancelled');`,
  // 2: leases, so jobs whose process died are rescued; the open attempt in its own columns.
  `ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
   ALTER TABLE jobs ADD COLUMN lease_expires_at INTEGER;
   ALTER TABLE jobs ADD COLUMN attempt_started_at INTEGER;
   ALTER TABLE jobs ADD COLUMN attempt_worker TEXT;`,
  // 3: the running attempt's lease token, which fences every write of that attempt.
  `ALTER TABLE jobs ADD COLUMN lease_token TEXT;`,
  // 4: API keys, each with the SHA-256 of its secret (never the secret); times in ISO 8601.
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     secret_hash BLOB NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     revoked_at TEXT,
     last_used_at TEXT
   );`,
  // 5: the nodes sharing the store (one, here) with their heartbeats, and the leader lease.
  `CREATE TABLE nodes (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     host TEXT NOT NULL,
     version TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL,
     workers INTEGER NOT NULL,
     busy INTEGER NOT NULL,
     types TEXT NOT NULL
   );
   CREATE TABLE leader (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     node TEXT NOT NULL,
     until INTEGER NOT NULL
   );`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Why a database cannot be used; the message is meant for the person starting the service. */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaError";
  }
}

/** The version recorded in the database, 0 for an empty one. */
export function schemaVersion(db: DatabaseSync): number {
  const table = db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'denoqueue_schema'",
  ).get();
  if (table === undefined) {
    const other = db.prepare(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    ).get() as { n: number };
    if (other.n > 0) {
      throw new SchemaError("it is a SQLite database, but not one of DenoQueue's");
    }
    return 0;
  }
  const row = db.prepare("SELECT version FROM denoqueue_schema").get() as
    | { version: number }
    | undefined;
  return row?.version ?? 0;
}

/**
 * Brings the database to `target` (default: the latest), each migration in its own
 * transaction. Returns the version it started from.
 */
export function migrate(db: DatabaseSync, target = SCHEMA_VERSION): number {
  const from = schemaVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new SchemaError(
      `it was written by a newer DenoQueue (schema ${from}; this one knows up to ${SCHEMA_VERSION})`,
    );
  }
  for (let version = from; version < target; version++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      if (version === 0) db.exec("CREATE TABLE denoqueue_schema (version INTEGER NOT NULL)");
      db.exec(MIGRATIONS[version]);
      db.exec("DELETE FROM denoqueue_schema");
      db.prepare("INSERT INTO denoqueue_schema (version) VALUES (?)").run(version + 1);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  return from;
}
