/**
 * The PostgreSQL store, through postgres.js: for when one machine is not enough, many
 * DenoQueue processes share one database (one schema each group). Nothing is kept in memory
 * that another process could change: counts are read from the rows, claims race through
 * `FOR UPDATE SKIP LOCKED`, and every write of an attempt is fenced by its lease token in SQL.
 * Enqueues that arrive together share one statement and one commit (`job_inserts.ts`). A
 * connection lost makes calls reject with `StoreUnavailableError` until the client has
 * reconnected, which it does by itself.
 * @module
 */

import type { Job } from "../../job.ts";
import type { ApiKey } from "../../keys/api_key.ts";
import { StoreOpenError } from "../errors.ts";
import type {
  ClaimParams,
  DeleteParams,
  DeleteResult,
  JobCounts,
  JobUpdate,
  ListQuery,
  PromoteResult,
  PruneParams,
  RenewParams,
} from "../job_store.ts";
import type { NewKey, StoredKey } from "../key_store.ts";
import type { LeadParams, NodeBeat, NodeRecord } from "../node_store.ts";
import type { ReadyListener, Store } from "../store.ts";
import { assertUpdatesFollowLifecycle } from "../transition_guard.ts";
import {
  asStoreError,
  connect,
  explainConnectError,
  isUnavailable,
  redactUrl,
  type Sql,
} from "./connection.ts";
import { countJobs, findExpiredLeases, findJob, listJobs } from "./job_reads.ts";
import { JobInserts } from "./job_inserts.ts";
import { claimJobs, notifyReady, promoteJobs, readyTypes } from "./job_writes.ts";
import { updateJobs } from "./job_updates.ts";
import { findKeyRow, insertKeyRow, listKeyRows, revokeKeyRow, touchKeyRow } from "./key_rows.ts";
import { PgBroadcast } from "./pg_broadcast.ts";
import { PostgresNodes } from "./postgres_nodes.ts";
import { ReadyWakeups } from "./ready_wakeups.ts";
import { deleteJobs, pruneJobs, renewLeases } from "./removals_and_leases.ts";
import { migrate, readyChannel, SchemaError } from "./schema.ts";
import { ServerLockHold } from "./server_lock.ts";
import { countUnfinished } from "./unfinished_count.ts";
import { survivePostgresDriverFaults } from "./driver_faults.ts";
import { eachAlone, type Outcome, WriteLane } from "./write_lane.ts";
import { analyzeJobs, TableGrowth } from "./table_statistics.ts";

/** Options for {@linkcode PostgresStore.open}. */
export interface PostgresStoreOptions {
  /** The schema holding the tables, created at start-up. Default `denoqueue`. */
  schema?: string;
  /**
   * `on` (default): a commit is on disk before it is acknowledged. `off`: faster; a server
   * crash may lose the last moments of acknowledged writes, never corrupt them.
   */
  synchronousCommit?: "on" | "off";
  /** The safety poll of `onReady` listeners, in ms. Default 5,000. */
  readyPollMs?: number;
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
}

/** The default schema. */
export const DEFAULT_SCHEMA = "denoqueue";

/**
 * @example
 * ```ts ignore
 * const store = await PostgresStore.open("postgres://denoqueue@db.internal/jobs");
 * ```
 */
export class PostgresStore implements Store {
  readonly durable = true;
  readonly exclusive = false;
  /** The URL without its password. */
  readonly url: string;
  /** The schema version before this start (0 for a new schema). */
  readonly migratedFrom: number;
  #sql: Sql;
  #channel: string;
  #inserts: JobInserts;
  #updates = new WriteLane<JobUpdate[], Job[]>((calls) => this.#updateBatches(calls));
  #wakeups: ReadyWakeups;
  /** `ANALYZE` as the table grows, for plans that use the indexes (see `table_statistics.ts`). */
  #growth: TableGrowth;
  #lock: ServerLockHold;
  /** Nodes and the leader lease, on a connection of their own. */
  #nodes: PostgresNodes;
  /** Messages to the other servers on the schema (`NOTIFY`). */
  readonly broadcast: PgBroadcast;
  /** Job types this process has seen: counted as zeros once their jobs are gone. */
  #types = new Set<string>();

  private constructor(
    sql: Sql,
    lock: ServerLockHold,
    nodes: PostgresNodes,
    url: string,
    schema: string,
    from: number,
    pollMs: number,
  ) {
    this.#sql = sql;
    this.#lock = lock;
    this.#nodes = nodes;
    this.url = url;
    this.migratedFrom = from;
    this.#channel = readyChannel(schema);
    this.#inserts = new JobInserts(sql, this.#channel);
    this.#wakeups = new ReadyWakeups(sql, this.#channel, pollMs, () => this.#readyTypes());
    this.broadcast = new PgBroadcast(sql, schema);
    this.#growth = new TableGrowth(() => analyzeJobs(sql));
  }

  /**
   * Connects to `url` and creates or migrates the schema. Throws `StoreOpenError` naming the
   * URL without its password when the server cannot be reached, refuses the login, has no
   * such database, holds a schema written by a newer DenoQueue, or is being migrated into
   * (`deno task migrate` holds the schema's server lock; a server holds it shared while open).
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    survivePostgresDriverFaults();
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const synchronousCommit = options.synchronousCommit ?? "on";
    const sql = connect(url, { schema, synchronousCommit, max: options.maxConnections });
    let lock: ServerLockHold | undefined;
    try {
      lock = await ServerLockHold.take(
        (onclose) => connect(url, { schema, synchronousCommit, max: 1, keepOpen: true, onclose }),
        schema,
      );
      const from = await migrate(sql, schema);
      const pollMs = options.readyPollMs ?? 5_000;
      const own = connect(url, { schema, synchronousCommit, max: 1, keepOpen: true });
      const nodes = new PostgresNodes(own, sql);
      return new PostgresStore(sql, lock, nodes, redactUrl(url), schema, from, pollMs);
    } catch (error) {
      await lock?.release();
      await sql.end({ timeout: 1 }).catch(() => {});
      const reason = error instanceof SchemaError ? error.message : explainConnectError(error, url);
      throw new StoreOpenError(redactUrl(url), reason, { cause: error });
    }
  }

  async insert({ jobs }: { jobs: Job[] }): Promise<Job[]> {
    for (const job of jobs) this.#types.add(job.type);
    const inserted = await this.#guard(() => this.#inserts.insert(jobs));
    // Once committed: an ANALYZE counts only committed rows.
    this.#growth.inserted(inserted.length);
    return inserted;
  }

  claim(params: ClaimParams): Promise<Job[]> {
    return this.#guard(() => claimJobs(this.#sql, params));
  }

  update({ updates }: { updates: JobUpdate[] }): Promise<Job[]> {
    try {
      assertUpdatesFollowLifecycle(updates);
    } catch (error) {
      return Promise.reject(error);
    }
    if (updates.length === 0) return Promise.resolve([]);
    return this.#guard(() => this.#updates.run(updates));
  }

  /**
   * The updates of several callers (outcomes of one moment, lease renewals aside) in one
   * write, in the order they came; if it fails, each is written on its own, so that a bad one
   * fails alone (see {@linkcode eachAlone}).
   */
  async #updateBatches(calls: JobUpdate[][]): Promise<Outcome<Job[]>[]> {
    const stored = (jobs: (Job | undefined)[]) => jobs.filter((job) => job !== undefined);
    try {
      const written = await this.#writeUpdates(calls.flat());
      let start = 0;
      return calls.map((updates) => ({
        ok: true as const,
        output: stored(written.slice(start, start += updates.length)),
      }));
    } catch (error) {
      if (calls.length === 1 || isUnavailable(error)) throw error;
    }
    return await eachAlone(
      calls,
      async (updates) => stored(await this.#writeUpdates(updates)),
      isUnavailable,
    );
  }

  /**
   * One statement needs no transaction of its own; several (a job twice, writes and removals
   * together), or a notification, do.
   */
  #writeUpdates(updates: JobUpdate[]): Promise<(Job | undefined)[]> {
    const ids = new Set(updates.map((update) => update.job.id));
    const requeues = updates.some((update) => update.job.status === "queued");
    const removes = updates.filter((update) => update.remove === true).length;
    const oneKind = removes === 0 || removes === updates.length;
    if (ids.size === updates.length && !requeues && oneKind) return updateJobs(this.#sql, updates);
    return this.#sql.begin(async (tx) => {
      const written = await updateJobs(tx, updates);
      const ready = written.filter((job) => job !== undefined);
      await notifyReady(tx, this.#channel, readyTypes(ready));
      return written;
    }) as Promise<(Job | undefined)[]>;
  }

  promote({ now, limit }: { now: number; limit: number }): Promise<PromoteResult> {
    return this.#guard(() =>
      this.#sql.begin(async (tx) => {
        const result = await promoteJobs(tx, now, limit);
        await notifyReady(tx, this.#channel, readyTypes(result.promoted));
        return result;
      })
    );
  }

  get({ id }: { id: string }): Promise<Job | undefined> {
    return this.#guard(() => findJob(this.#sql, id));
  }

  list(query: ListQuery): Promise<Job[]> {
    return this.#guard(() => listJobs(this.#sql, query));
  }

  delete(params: DeleteParams): Promise<DeleteResult> {
    return this.#guard(() => deleteJobs(this.#sql, params));
  }

  renewLeases(params: RenewParams): Promise<string[]> {
    return this.#guard(() => renewLeases(this.#sql, params));
  }

  expiredLeases(params: { now: number; limit: number }): Promise<Job[]> {
    return this.#guard(() => findExpiredLeases(this.#sql, params));
  }

  prune(params: PruneParams): Promise<number> {
    return this.#guard(() => this.#sql.begin((tx) => pruneJobs(tx, params)));
  }

  async counts(): Promise<JobCounts> {
    const counts = await this.#guard(() => countJobs(this.#sql, this.#types));
    for (const type of Object.keys(counts.byType)) this.#types.add(type);
    return counts;
  }

  countUnfinished(): Promise<number> {
    return this.#guard(() => countUnfinished(this.#sql));
  }

  createKey(key: NewKey): Promise<ApiKey> {
    return this.#guard(() => insertKeyRow(this.#sql, key));
  }

  findKey({ id }: { id: string }): Promise<StoredKey | undefined> {
    return this.#guard(() => findKeyRow(this.#sql, id));
  }

  listKeys(): Promise<ApiKey[]> {
    return this.#guard(() => listKeyRows(this.#sql));
  }

  revokeKey(params: { id: string; at: string }): Promise<ApiKey | undefined> {
    return this.#guard(() => revokeKeyRow(this.#sql, params));
  }

  touchKey(params: { id: string; at: string }): Promise<void> {
    return this.#guard(() => touchKeyRow(this.#sql, params));
  }

  registerNode(node: NodeRecord): Promise<void> {
    return this.#nodes.registerNode(node);
  }

  heartbeat(beat: NodeBeat): Promise<boolean> {
    return this.#nodes.heartbeat(beat);
  }

  listNodes(): Promise<NodeRecord[]> {
    return this.#nodes.listNodes();
  }

  removeNode(params: { id: string; staleBefore?: number }): Promise<boolean> {
    return this.#nodes.removeNode(params);
  }

  jobsHeldBy(params: { node: string; limit: number }): Promise<Job[]> {
    return this.#nodes.jobsHeldBy(params);
  }

  tryLead(params: LeadParams): Promise<boolean> {
    return this.#nodes.tryLead(params);
  }

  resign(params: { node: string }): Promise<void> {
    return this.#nodes.resign(params);
  }

  leader(params: { now: number }): Promise<string | undefined> {
    return this.#nodes.leader(params);
  }

  /**
   * Calls `listener` when jobs become ready, in this process or any other sharing the schema
   * (`LISTEN`), and at each safety poll that finds queued jobs. Returns the unsubscribe.
   */
  onReady(listener: ReadyListener): () => void {
    return this.#wakeups.add(listener);
  }

  /**
   * Closes every connection, within 6 s whether PostgreSQL answers or not (once an `ANALYZE` in
   * flight has ended): the listeners stop and the clients end together, within 5 s (a
   * connection waiting for a server that is not back is destroyed then), then the lock's
   * connection, last, within a second.
   */
  async close(): Promise<void> {
    await this.#growth.settled();
    await Promise.all([
      this.#wakeups.close(),
      this.broadcast.close(),
      this.#nodes.close(),
      this.#sql.end({ timeout: 5 }),
    ]);
    await this.#lock.release();
  }

  /** The types of the oldest queued jobs: what the safety poll wakes listeners for. */
  async #readyTypes(): Promise<string[]> {
    const rows = await this.#sql<{ type: string }[]>`
      SELECT DISTINCT type FROM (
        SELECT type FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1000) AS oldest`;
    return rows.map((row) => row.type);
  }

  /** `promise`, rejecting with `StoreUnavailableError` when the server is out of reach. */
  #guard<T>(call: () => Promise<T>): Promise<T> {
    // Nothing runs on the schema without its server lock: after a reconnect, the lock is
    // taken again first (a migration that took it meanwhile makes calls fail, unavailable).
    return this.#lock.held().then(call).catch((error) => {
      throw asStoreError(error);
    });
  }
}
