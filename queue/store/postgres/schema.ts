/**
 * The PostgreSQL schema and its migrations, applied in order at start-up in one transaction
 * under an advisory lock (so processes starting together migrate once), and recorded in a
 * version table. A schema written by a newer DenoQueue is refused.
 *
 * Columns hold what queries filter, order and fence on; the rest of a job is one `json` value
 * (text as written: a payload keeps its key order), written whole. Jobs are keyed by `id`;
 * partial indexes cover only the rows each query looks for, each status's in `seq` order: a
 * claim walks `jobs_queued`, a rescue `jobs_running`.
 * @module
 */

import { quoteIdentifier, type Sql } from "./connection.ts";
import { NODE_TABLES } from "./node_rows.ts";

/** Each entry moves the schema from version i to i+1. */
export const MIGRATIONS: readonly string[] = [
  // 1: jobs and API keys.
  `CREATE TABLE jobs (
     seq bigserial PRIMARY KEY,
     id text NOT NULL UNIQUE,
     status text NOT NULL,
     type text NOT NULL,
     run_at bigint NOT NULL,
     updated_at bigint NOT NULL,
     finished_at bigint,
     retried_by text,
     lease_owner text,
     lease_expires_at bigint,
     lease_token text,
     attempt_started_at bigint,
     attempt_worker text,
     data json NOT NULL
   );
   CREATE INDEX jobs_queued ON jobs (seq) WHERE status = 'queued';
   CREATE INDEX jobs_scheduled ON jobs (run_at, seq) WHERE status = 'scheduled';
   CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE status = 'in-progress';
   CREATE INDEX jobs_finished ON jobs (status, seq)
     WHERE status IN ('completed', 'failed', 'cancelled');
   CREATE TABLE api_keys (
     id text PRIMARY KEY,
     name text NOT NULL,
     role text NOT NULL,
     secret_hash bytea NOT NULL,
     created_at text COLLATE "C" NOT NULL,
     expires_at text COLLATE "C",
     revoked_at text COLLATE "C",
     last_used_at text COLLATE "C",
     made bigserial NOT NULL
   );`,
  // 2: the nodes sharing the schema, with their heartbeats, and the leader lease (one row).
  NODE_TABLES,
  // 3: vacuum jobs after 2% of its rows changed, not the default 20%: every job's claim and
  // outcome leave a dead row version behind, and space freed soon is space reused.
  `ALTER TABLE jobs SET (
     autovacuum_vacuum_scale_factor = 0.02,
     autovacuum_vacuum_threshold = 1000,
     autovacuum_vacuum_insert_scale_factor = 0.02,
     autovacuum_analyze_scale_factor = 0.02
   );`,
  // 4: fewer index entries per row version. A claim or an outcome writes a new version of its
  // row, with an entry in every index whose predicate it meets: the index of all rows by `seq`
  // goes (a list of all statuses merges theirs, see `job_reads.ts`), the ids are compared byte
  // by byte, and the in-progress rows have one index, by `seq`, for rescues, a node's jobs and
  // lists, instead of two. Scheduled rows get a second, by `seq`, for lists.
  `ALTER TABLE jobs DROP CONSTRAINT jobs_pkey;
   ALTER TABLE jobs DROP CONSTRAINT jobs_id_key;
   ALTER TABLE jobs ALTER COLUMN id TYPE text COLLATE "C";
   ALTER TABLE jobs ADD CONSTRAINT jobs_pkey PRIMARY KEY (id);
   DROP INDEX jobs_running;
   DROP INDEX jobs_held;
   CREATE INDEX jobs_running ON jobs (seq) WHERE status = 'in-progress';
   CREATE INDEX jobs_scheduled_seq ON jobs (seq) WHERE status = 'scheduled';`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Why a schema cannot be used; the message is meant for the person starting the service. */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaError";
  }
}

/** The channel on which `schema`'s jobs that became ready are announced. */
export function readyChannel(schema: string): string {
  return `${schema}_ready`;
}

/** The advisory lock key of `schema`'s migrations (one per schema, shared by every process). */
function lockKey(schema: string): string {
  return `denoqueue:${schema}`;
}

/**
 * Creates `schema` if missing and brings it to `target` (default: the latest) in one
 * transaction, under an advisory lock. Returns the version it started from.
 */
export function migrate(sql: Sql, schema: string, target = SCHEMA_VERSION): Promise<number> {
  const name = quoteIdentifier(schema);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey(schema)}, 0))`;
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${name}`);
    await tx.unsafe(`SET LOCAL search_path TO ${name}`);
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS denoqueue_schema (version integer NOT NULL)`);
    const [row] = await tx<{ version: number }[]>`SELECT version FROM denoqueue_schema`;
    const from = row?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new SchemaError(
        `schema ${schema} was written by a newer DenoQueue ` +
          `(version ${from}; this one knows up to ${SCHEMA_VERSION})`,
      );
    }
    for (let version = from; version < target; version++) {
      await tx.unsafe(MIGRATIONS[version]);
    }
    if (from < target) {
      await tx`DELETE FROM denoqueue_schema`;
      await tx`INSERT INTO denoqueue_schema (version) VALUES (${target})`;
    }
    return from;
  }) as Promise<number>;
}
