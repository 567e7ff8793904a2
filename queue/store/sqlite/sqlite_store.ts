/**
 * The SQLite store, through Deno's built-in `node:sqlite`: one file, no server. WAL mode, a
 * lock file (one DenoQueue per file), writes batched into group commits, and WAL checkpoints
 * in a worker thread. Because this process alone owns the file, it keeps two things in memory
 * as well: the counts (stats cost no query) and the queued jobs in claim order, so a claim
 * writes a few columns of the rows it picks instead of searching and reading them back.
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Job } from "../../job.ts";
import { isUnfinished, type JobStatus } from "../../lifecycle.ts";
import { defaultLogger, type Logger } from "../../primitives/logger.ts";
import { GroupCommit, type OnCommit } from "./group_commit.ts";
import { insertJobRows, recordRetries } from "./insert_rows.ts";
import { countStoredJobs, findJob, listJobs, queuedJobs } from "./job_queries.ts";
import { findExpiredLeases, renewLeaseRows } from "./leases.ts";
import { findKeyRow, insertKeyRow, listKeyRows, revokeKeyRow, touchKeyRow } from "./key_rows.ts";
import {
  beatNodeRow,
  heldJobRows,
  leaderRow,
  leadRow,
  listNodeRows,
  removeNodeRow,
  resignRow,
  upsertNodeRow,
} from "./node_rows.ts";
import { openDatabase } from "./open_database.ts";
import { deleteRows, pruneFinished } from "./remove_jobs.ts";
import { SharedWrite } from "./shared_write.ts";
import { StatementCache } from "./statement_cache.ts";
import { WalCheckpointer } from "./wal_checkpointer.ts";
import { promoteRows, startAttempts, updateRows } from "./attempt_rows.ts";
import { ReadyList } from "./ready_list.ts";
import { StatusCounts } from "../status_counts.ts";
import { assertUpdatesFollowLifecycle } from "../transition_guard.ts";
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
import type { Store } from "../store.ts";
import type { NewKey, StoredKey } from "../key_store.ts";
import type { ApiKey } from "../../keys/api_key.ts";
import type { LeadParams, NodeBeat, NodeRecord } from "../node_store.ts";

/** What each level survives. */
export type Durability = "normal" | "full";

/** Options for {@linkcode SqliteStore.open}. */
export interface SqliteStoreOptions {
  /**
   * `normal` (default): WAL with `synchronous=NORMAL`, survives a process crash (`kill -9`);
   * a power loss or OS crash may lose the last commits. `full`: `synchronous=FULL`, every
   * commit is on disk before it is acknowledged; survives power loss.
   */
  durability?: Durability;
  /**
   * WAL pages past which the store completes a checkpoint itself, between two transactions,
   * when the worker's passes cannot keep up with steady writes. Default 16,384 (64 MB).
   */
  walLimitPages?: number;
  /** Extra `PRAGMA`s applied at open, e.g. `{ cache_size: -64000 }`. */
  pragmas?: Record<string, string | number>;
  /** Where the WAL checkpointer's failure is logged. Default: `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts ignore
 * const store = SqliteStore.open("./data/denoqueue.db", { durability: "normal" });
 * ```
 */
export class SqliteStore implements Store {
  readonly durable = true;
  readonly exclusive = true;
  readonly path: string;
  /** The schema version the file had before this start (0 for a new file). */
  readonly migratedFrom: number;
  #db: DatabaseSync;
  #writes: GroupCommit;
  /** Enqueues of one tick share their INSERT statements. */
  #inserts: SharedWrite<Job[], Job[]>;
  #statements: StatementCache;
  #counts = new StatusCounts();
  #lastSeq: number;
  /** Queued jobs in the order they became ready: what the next claim takes. */
  #ready = new ReadyList();
  #lock: Deno.FsFile | undefined;
  #checkpointer: WalCheckpointer | undefined;

  private constructor(
    path: string,
    db: DatabaseSync,
    migratedFrom: number,
    lock: Deno.FsFile | undefined,
    walLimitPages: number,
    logger: Logger,
  ) {
    this.path = path;
    this.#db = db;
    this.#statements = new StatementCache(db);
    this.migratedFrom = migratedFrom;
    this.#lock = lock;
    if (path !== ":memory:") {
      this.#checkpointer = new WalCheckpointer(path, (reason) => {
        logger.warn(`WAL checkpointer stopped (${reason}); checkpointing on commit instead`, {
          path,
        });
        if (this.#db.isOpen) this.#db.exec("PRAGMA wal_autocheckpoint = 1000");
      }, () => {
        // No transaction is open between two macrotasks: this copies the rest and lets the
        // next commit start the log over.
        if (this.#db.isOpen) this.#db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      }, walLimitPages);
    }
    this.#writes = new GroupCommit(db, {
      // A transaction that fails to commit leaves the ready list ahead of the file: reread it.
      onRollback: () => this.#loadReady(),
      onCommitted: () => this.#checkpointer?.committed(),
    });
    this.#inserts = new SharedWrite(
      this.#writes,
      (batches, onCommit) => this.#insertRows(batches, onCommit),
    );
    countStoredJobs(this.#statements, this.#counts);
    this.#loadReady();
    // One process owns the file, so sequence numbers are handed out here, without a round trip.
    this.#lastSeq = (this.#sql("SELECT max(seq) AS seq FROM jobs").get() as { seq: number | null })
      .seq ?? 0;
  }

  /** Opens (creating and migrating as needed) the database at `path`. */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    return openDatabase(
      path,
      options,
      ({ db, migratedFrom, lock }) =>
        new SqliteStore(
          path,
          db,
          migratedFrom,
          lock,
          options.walLimitPages ?? 16_384,
          options.logger ?? defaultLogger(),
        ),
    );
  }

  insert({ jobs }: { jobs: Job[] }): Promise<Job[]> {
    return this.#inserts.run(jobs);
  }

  /** Inserts the jobs of several enqueues in multi-row statements; one array back per enqueue. */
  #insertRows(batches: Job[][], onCommit: OnCommit): Job[][] {
    // The queue builds these jobs for this insert alone: numbered in place, not copied (a redo
    // after a failed statement numbers them again).
    let seq = this.#lastSeq + 1;
    for (const jobs of batches) for (const job of jobs) job.seq = seq++;
    const inserted = batches.length === 1 ? batches[0] : batches.flat();
    insertJobRows(this.#statements, inserted);
    const retried = recordRetries(this.#statements, inserted);
    this.#lastSeq += inserted.length;
    // Counted as written: a claim in the same commit moves the ready copies on before it ends.
    const written: [string, JobStatus][] = [];
    for (const job of inserted) {
      written.push([job.type, job.status]);
      if (job.retriedBy !== undefined) retried.push(job.status);
      if (job.status === "queued") this.#ready.add(job);
    }
    onCommit(() => {
      for (const [type, status] of written) this.#counts.add(type, status, 1);
      for (const status of retried) this.#counts.addRetried(status, 1);
    });
    return batches;
  }

  claim({ limit, types, ...lease }: ClaimParams): Promise<Job[]> {
    if (!this.#ready.has(types)) return Promise.resolve([]);
    return this.#writes.run((onCommit) => {
      // Out of the ready list, the jobs are moved on in place and handed out: no second copy
      // per running job. A failed commit rereads the list.
      const picked = this.#ready.take(limit, types);
      if (picked.length === 0) return picked; // Taken by a claim of the same commit.
      startAttempts(this.#statements, picked, lease);
      const moved = picked.map((job) => job.type);
      onCommit(() => {
        for (const type of moved) this.#counts.move(type, "queued", "in-progress");
      });
      return picked;
    });
  }

  update({ updates }: { updates: JobUpdate[] }): Promise<Job[]> {
    return this.#writes.run((onCommit) => {
      assertUpdatesFollowLifecycle(updates);
      const applied = updateRows(this.#statements, updates);
      const moves: [string, JobStatus, JobStatus | undefined][] = [];
      for (const { from, job, remove } of applied) {
        if (from === "queued") this.#ready.remove(job.seq);
        if (job.status === "queued") this.#ready.add(job);
        moves.push([job.type, from, remove === true ? undefined : job.status]);
      }
      onCommit(() => {
        for (const [type, from, to] of moves) {
          if (to === undefined) this.#counts.add(type, from, -1);
          else this.#counts.move(type, from, to);
        }
      });
      return applied.map(({ job }) => job);
    });
  }

  promote({ now, limit }: { now: number; limit: number }): Promise<PromoteResult> {
    return this.#writes.run((onCommit) => {
      const result = promoteRows(this.#statements, now, limit);
      for (const job of result.promoted) this.#ready.add(job);
      const types = result.promoted.map((job) => job.type);
      onCommit(() => {
        for (const type of types) this.#counts.move(type, "scheduled", "queued");
      });
      return result;
    });
  }

  get({ id }: { id: string }): Promise<Job | undefined> {
    return Promise.resolve(findJob(this.#statements, id));
  }

  list(query: ListQuery): Promise<Job[]> {
    return Promise.resolve(listJobs(this.#statements, query));
  }

  delete(params: DeleteParams): Promise<DeleteResult> {
    return this.#writes.run((onCommit) => {
      const rows = deleteRows(this.#statements, params);
      for (const row of rows) this.#ready.remove(row.seq);
      onCommit(() => {
        for (const row of rows) {
          this.#counts.add(row.type, row.status, -1);
          if (row.retried) this.#counts.addRetried(row.status, -1);
        }
      });
      const unfinished = rows.filter((row) => isUnfinished(row.status)).length;
      return { removed: rows.length, unfinished };
    });
  }

  renewLeases(params: RenewParams): Promise<string[]> {
    return this.#writes.run(() => renewLeaseRows(this.#statements, params));
  }

  expiredLeases(params: { now: number; limit: number }): Promise<Job[]> {
    return Promise.resolve(findExpiredLeases(this.#statements, params));
  }

  prune(params: PruneParams): Promise<number> {
    return this.#writes.run((onCommit) =>
      pruneFinished(this.#statements, this.#counts, params, onCommit)
    );
  }

  counts(): Promise<JobCounts> {
    return Promise.resolve(this.#counts.snapshot());
  }

  createKey(key: NewKey): Promise<ApiKey> {
    return this.#writes.run(() => insertKeyRow(this.#statements, key));
  }

  findKey({ id }: { id: string }): Promise<StoredKey | undefined> {
    return Promise.resolve(findKeyRow(this.#statements, id));
  }

  listKeys(): Promise<ApiKey[]> {
    return Promise.resolve(listKeyRows(this.#statements));
  }

  revokeKey(params: { id: string; at: string }): Promise<ApiKey | undefined> {
    return this.#writes.run(() => revokeKeyRow(this.#statements, params));
  }

  touchKey(params: { id: string; at: string }): Promise<void> {
    return this.#writes.run(() => touchKeyRow(this.#statements, params));
  }

  registerNode(node: NodeRecord): Promise<void> {
    return this.#writes.run(() => upsertNodeRow(this.#statements, node));
  }

  heartbeat(beat: NodeBeat): Promise<boolean> {
    return this.#writes.run(() => beatNodeRow(this.#statements, beat));
  }

  listNodes(): Promise<NodeRecord[]> {
    return Promise.resolve(listNodeRows(this.#statements));
  }

  removeNode(params: { id: string; staleBefore?: number }): Promise<boolean> {
    return this.#writes.run(() => removeNodeRow(this.#statements, params));
  }

  jobsHeldBy(params: { node: string; limit: number }): Promise<Job[]> {
    return Promise.resolve(heldJobRows(this.#statements, params));
  }

  tryLead(params: LeadParams): Promise<boolean> {
    return this.#writes.run(() => leadRow(this.#statements, params));
  }

  resign({ node }: { node: string }): Promise<void> {
    return this.#writes.run(() => resignRow(this.#statements, node));
  }

  leader({ now }: { now: number }): Promise<string | undefined> {
    return Promise.resolve(leaderRow(this.#statements, now));
  }

  async close(): Promise<void> {
    this.#writes.close();
    this.#statements.clear();
    await this.#checkpointer?.close();
    if (this.#db.isOpen) {
      try {
        this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch { /* a checkpoint is an optimisation; the WAL replays at next open */ }
      this.#db.close();
    }
    this.#lock?.close();
    this.#lock = undefined;
  }

  /** WAL checkpoints the worker has completed. */
  get checkpoints(): number {
    return this.#checkpointer?.done ?? 0;
  }

  /** Reads the queued jobs into the ready list, oldest first. */
  #loadReady(): void {
    this.#ready.load(queuedJobs(this.#statements));
  }

  #sql(sql: string): StatementSync {
    return this.#statements.prepare(sql);
  }
}
