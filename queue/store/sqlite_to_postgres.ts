/**
 * Moving a SQLite store into PostgreSQL: every job (its attempts, logs and retry links with it,
 * in the order they were inserted) and every API key (its secret's digest, revocation and last
 * use), in one transaction, so a failure leaves the target as it was. It refuses to run while a
 * server uses either side: the SQLite file's lock file is taken as a server takes it, and the
 * PostgreSQL schema's server lock exclusively (`pg_try_advisory_lock`), which every server
 * holds shared while open. The target schema must hold no jobs and no keys. A job in progress
 * in SQLite belonged to a process that is gone (the file was free): it moves with its lease
 * expired, so the first server on PostgreSQL rescues it at once, as a SQLite server would.
 * @module
 */

import type { Job } from "../job.ts";
import { JOB_STATUSES, type JobStatus } from "../lifecycle.ts";
import type { StoredKey } from "./key_store.ts";
import { connect, explainConnectError, redactUrl, type Sql } from "./postgres/connection.ts";
import { insertJobs } from "./postgres/job_writes.ts";
import { copyKeyRow } from "./postgres/key_rows.ts";
import { DEFAULT_SCHEMA } from "./postgres/postgres_store.ts";
import { migrate } from "./postgres/schema.ts";
import { tryOwnServerLock } from "./postgres/server_lock.ts";
import { SqliteStore } from "./sqlite/sqlite_store.ts";

/** What a migration moved. */
export interface MigrationReport {
  jobs: number;
  byStatus: Record<JobStatus, number>;
  attempts: number;
  keys: number;
}

/** Why a migration did not run; the message names the side (and flag) at fault. */
export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MigrationError";
  }
}

/** Jobs read from SQLite, and inserted into PostgreSQL, per statement. */
const CHUNK = 1_000;

/**
 * Moves every job and key of the SQLite database at `from` into `schema` of the PostgreSQL
 * database at `to`. Throws `MigrationError`, having changed nothing, when either is in use,
 * unreachable, or the target holds jobs or keys already.
 */
export async function migrateSqliteToPostgres(
  { from, to, schema = DEFAULT_SCHEMA }: { from: string; to: string; schema?: string },
): Promise<MigrationReport> {
  try {
    Deno.statSync(from);
  } catch {
    throw new MigrationError(`--from: no SQLite database at ${from}`);
  }
  let source: SqliteStore;
  try {
    source = SqliteStore.open(from);
  } catch (error) {
    throw new MigrationError(`--from: ${(error as Error).message}`, { cause: error });
  }
  // One connection: the session that holds the lock is the one that writes.
  const sql = connect(to, { schema, synchronousCommit: "on", max: 1, keepOpen: true });
  try {
    await claimTarget(sql, to, schema);
    const jobs = await readJobs(source);
    const keys = await readKeys(source);
    await sql.begin(async (tx) => {
      for (let i = 0; i < jobs.length; i += CHUNK) await insertJobs(tx, jobs.slice(i, i + CHUNK));
      for (const key of keys) await copyKeyRow(tx, key);
    });
    const byStatus = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as MigrationReport[
      "byStatus"
    ];
    for (const job of jobs) byStatus[job.status]++;
    const attempts = jobs.reduce((sum, job) => sum + job.attempts.length, 0);
    return { jobs: jobs.length, byStatus, attempts, keys: keys.length };
  } finally {
    await source.close();
    await sql.end({ timeout: 5 }).catch(() => {});
  }
}

/** Takes the target schema for this migration: reachable, unused by servers, empty. */
async function claimTarget(sql: Sql, url: string, schema: string): Promise<void> {
  const shown = redactUrl(url);
  let owned: boolean;
  try {
    owned = await tryOwnServerLock(sql, schema);
  } catch (error) {
    throw new MigrationError(`--to ${shown}: ${explainConnectError(error, url)}`, {
      cause: error,
    });
  }
  if (!owned) {
    throw new MigrationError(
      `--to ${shown}: a DenoQueue server is using schema ${schema} (it holds the schema's ` +
        "lock); stop every server on it first",
    );
  }
  try {
    await migrate(sql, schema);
  } catch (error) {
    throw new MigrationError(`--to ${shown}: ${(error as Error).message}`, { cause: error });
  }
  const [{ jobs, keys }] = await sql<{ jobs: number; keys: number }[]>`
    SELECT (SELECT count(*) FROM jobs)::int AS jobs, (SELECT count(*) FROM api_keys)::int AS keys`;
  if (jobs + keys > 0) {
    throw new MigrationError(
      `--to ${shown}: schema ${schema} holds ${jobs} job(s) and ${keys} key(s) already; ` +
        "migrate into an empty schema (--schema NAME for another)",
    );
  }
}

/** Every job of `store`, oldest first; the leases of those in progress expired (their process is gone). */
async function readJobs(store: SqliteStore): Promise<Job[]> {
  const pages: Job[][] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await store.list({ limit: CHUNK, beforeSeq });
    if (page.length === 0) break;
    pages.push(page);
    beforeSeq = page[page.length - 1].seq;
  }
  const now = Date.now();
  return pages.flat().reverse().map((job) =>
    job.status === "in-progress" && (job.leaseExpiresAt ?? 0) > now
      ? { ...job, leaseExpiresAt: now }
      : job
  );
}

/** Every key of `store` with its digest, oldest first. */
async function readKeys(store: SqliteStore): Promise<StoredKey[]> {
  const keys: StoredKey[] = [];
  for (const key of (await store.listKeys()).reverse()) {
    const stored = await store.findKey({ id: key.id });
    if (stored !== undefined) keys.push(stored);
  }
  return keys;
}
