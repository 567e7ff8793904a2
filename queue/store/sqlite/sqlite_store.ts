/**
 * The SQLite store, through Deno's built-in `node:sqlite`: one file, no server. WAL mode, a
 * lock file (one DenoQueue per file), writes batched into group commits, and WAL checkpoints
 * in a worker thread. Because this
 * process alone owns the file, it keeps two things in memory as well: the counts (stats cost
 * no query) and the queued jobs in claim order, so a claim writes a few columns of the rows it
 * picks instead of searching and reading them back.
 * @module
 */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Job } from "../../job.ts";
import { isUnfinished, type JobStatus } from "../../lifecycle.ts";
import { StoreOpenError } from "../errors.ts";
import { GroupCommit, type OnCommit } from "./group_commit.ts";
import { SharedWrite } from "./shared_write.ts";
import { WalCheckpointer } from "./wal_checkpointer.ts";
import { migrate } from "./schema.ts";
import {
  INSERT_COLUMNS,
  type JobRow,
  pushInsertValues,
  rowToJob,
  type SqlValue,
  updateValues,
} from "./rows.ts";
import { StatusCounts } from "../status_counts.ts";
import type {
  ClaimParams,
  DeleteParams,
  DeleteResult,
  FinalStatus,
  JobCounts,
  JobUpdate,
  ListQuery,
  PromoteResult,
  PruneParams,
  RenewParams,
} from "../job_store.ts";
import type { Store } from "../store.ts";

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
}

const FINAL: FinalStatus[] = ["completed", "failed", "cancelled"];
/** Rows per INSERT statement: fewer calls across the native boundary. */
const INSERT_CHUNK = 64;
const NEVER = Number.MAX_SAFE_INTEGER;

function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/not a database|malformed|corrupt/i.test(message)) {
    return `${message} (the file is corrupt or is not SQLite)`;
  }
  if (/locked|busy/i.test(message)) {
    return `${message} (is another DenoQueue running on it?)`;
  }
  if (/readonly|read-only|permission|denied|requires write|unable to open/i.test(message)) {
    return `${message} (it, or its folder, cannot be written)`;
  }
  if (/full|disk/i.test(message)) return `${message} (is the disk full?)`;
  return message;
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
  #statements = new Map<string, StatementSync>();
  #counts = new StatusCounts();
  #lastSeq: number;
  /** Queued jobs by seq, in the order they became ready: what the next claim takes. */
  #ready = new Map<number, Job>();
  #lock: Deno.FsFile | undefined;
  #checkpointer: WalCheckpointer | undefined;

  private constructor(
    path: string,
    db: DatabaseSync,
    migratedFrom: number,
    lock: Deno.FsFile | undefined,
    walLimitPages: number,
  ) {
    this.path = path;
    this.#db = db;
    this.migratedFrom = migratedFrom;
    this.#lock = lock;
    if (path !== ":memory:") {
      this.#checkpointer = new WalCheckpointer(path, (reason) => {
        console.error(`WAL checkpointer stopped (${reason}); checkpointing on commit instead`);
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
    const rows = this.#sql("SELECT type, status, count(*) AS n FROM jobs GROUP BY type, status")
      .all() as { type: string; status: JobStatus; n: number }[];
    for (const { type, status, n } of rows) this.#counts.add(type, status, n);
    this.#loadReady();
    // One process owns the file, so sequence numbers are handed out here, without a round trip.
    this.#lastSeq = (this.#sql("SELECT max(seq) AS seq FROM jobs").get() as { seq: number | null })
      .seq ?? 0;
  }

  /** Opens (creating and migrating as needed) the database at `path`. */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    let db: DatabaseSync | undefined;
    let lock: Deno.FsFile | undefined;
    try {
      if (path !== ":memory:") {
        mkdirSync(dirname(path), { recursive: true });
        // One DenoQueue per file: a lock held for the store's life on `PATH.lock`.
        lock = Deno.openSync(`${path}.lock`, { create: true, write: true });
        if (!lock.tryLockSync(true)) {
          throw new Error("the database is locked");
        }
      }
      db = new DatabaseSync(path);
      db.exec("PRAGMA busy_timeout = 2000");
      const mode = db.prepare("PRAGMA journal_mode = WAL").get() as { journal_mode: string };
      if (path !== ":memory:" && mode.journal_mode !== "wal") {
        throw new Error(`could not switch to WAL mode (got ${mode.journal_mode})`);
      }
      db.exec(`PRAGMA synchronous = ${options.durability === "full" ? "FULL" : "NORMAL"}`);
      // 8 MB of page cache: the hot pages (the newest rows and the indexes) stay in memory.
      db.exec("PRAGMA cache_size = -8192");
      // Checkpoints run in a worker (see WalCheckpointer), not inside commits on the event loop.
      db.exec("PRAGMA wal_autocheckpoint = 0");
      // After a checkpoint lets the WAL start over, cut its file back to 64 MB at most.
      db.exec("PRAGMA journal_size_limit = 67108864");
      for (const [name, value] of Object.entries(options.pragmas ?? {})) {
        if (!/^\w+$/.test(name)) throw new TypeError(`Bad pragma name ${name}`);
        db.exec(`PRAGMA ${name} = ${typeof value === "number" ? value : JSON.stringify(value)}`);
      }
      const from = migrate(db);
      const check = db.prepare("PRAGMA quick_check").get() as { quick_check: string };
      if (check.quick_check !== "ok") throw new Error(`integrity check: ${check.quick_check}`);
      return new SqliteStore(path, db, from, lock, options.walLimitPages ?? 16_384);
    } catch (error) {
      try {
        db?.close();
      } catch { /* it was never usable */ }
      lock?.close();
      throw new StoreOpenError(path, explain(error), { cause: error });
    }
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
    for (let start = 0, size = 0; start < inserted.length; start += size) {
      // Chunks of 64, 32, … 1 rows: a few prepared statements serve every batch size.
      size = 2 ** Math.floor(Math.log2(Math.min(INSERT_CHUNK, inserted.length - start)));
      const values: SqlValue[] = [];
      for (let i = start; i < start + size; i++) pushInsertValues(values, inserted[i]);
      try {
        this.#insertStatement(size).run(...values);
      } catch (error) {
        if (/UNIQUE constraint failed: jobs\.id/.test(String(error))) {
          const duplicate = inserted.find((job, i) =>
            inserted.findIndex((other) => other.id === job.id) !== i ||
            this.#sql("SELECT 1 FROM jobs WHERE id = ?").get(job.id) !== undefined
          );
          throw new Error(`A job with id ${duplicate?.id} already exists`);
        }
        throw error;
      }
    }
    this.#lastSeq += inserted.length;
    for (const job of inserted) if (job.status === "queued") this.#ready.set(job.seq, job);
    onCommit(() => {
      for (const job of inserted) this.#counts.add(job.type, job.status, 1);
    });
    return batches;
  }

  claim({ limit, workerId, now, leaseOwner, leaseUntil }: ClaimParams): Promise<Job[]> {
    if (this.#ready.size === 0) return Promise.resolve([]);
    return this.#writes.run((onCommit) => {
      const picked: Job[] = [];
      for (const job of this.#ready.values()) {
        if (picked.length >= limit) break;
        picked.push(job);
      }
      const set = `UPDATE jobs SET status = 'in-progress', lease_owner = ?, lease_expires_at = ?,
           attempt_started_at = ?, attempt_worker = ?`;
      // One job (every claim at concurrency 1) by its key: json_each costs 9 µs more per call.
      if (picked.length === 1) {
        this.#sql(`${set} WHERE seq = ? AND status = 'queued'`)
          .run(leaseOwner, leaseUntil, now, workerId, picked[0].seq);
      } else {
        this.#sql(`${set} WHERE seq IN (SELECT value FROM json_each(?)) AND status = 'queued'`)
          .run(leaseOwner, leaseUntil, now, workerId, JSON.stringify(picked.map((job) => job.seq)));
      }
      // A job in the ready list belongs to it alone (whoever got it back from an insert or an
      // update has serialised it already), so a claim moves it on in place: no copy per job
      // that would live, and be promoted, while the job runs. A failed commit rereads the list.
      for (const job of picked) {
        this.#ready.delete(job.seq);
        job.status = "in-progress";
        job.updatedAt = now;
        job.leaseOwner = leaseOwner;
        job.leaseExpiresAt = leaseUntil;
        job.attempts = [...job.attempts, {
          number: job.attempts.length + 1,
          startedAt: now,
          workerId,
        }];
      }
      onCommit(() => {
        for (const job of picked) this.#counts.move(job.type, "queued", "in-progress");
      });
      return picked;
    });
  }

  update({ updates }: { updates: JobUpdate[] }): Promise<Job[]> {
    return this.#writes.run((onCommit) => {
      const set = `UPDATE jobs SET status = ?, run_at = ?, finished_at = ?, lease_owner = ?,
           lease_expires_at = ?, attempt_started_at = ?, attempt_worker = ?, data = ?`;
      // By seq, the table's own key, when the caller's job came from this store (it always
      // does in the queue); by id otherwise.
      const bySeq = this.#sql(`${set} WHERE seq = ? AND id = ? AND status = ?`);
      const byId = this.#sql(`${set} WHERE id = ? AND status = ? RETURNING seq`);
      const applied: Job[] = [];
      for (const { from, job } of updates) {
        const values = updateValues(job);
        let seq: number | undefined = job.seq;
        if (Number(bySeq.run(...values, job.seq, job.id, from).changes) === 0) {
          seq = (byId.get(...values, job.id, from) as { seq: number } | undefined)?.seq;
        }
        if (seq === undefined) continue;
        const next = { ...job, seq };
        if (next.status !== "in-progress") {
          delete next.leaseOwner;
          delete next.leaseExpiresAt;
        }
        if (from === "queued") this.#ready.delete(next.seq);
        if (next.status === "queued") this.#ready.set(next.seq, next);
        applied.push(next);
        onCommit(() => this.#counts.move(job.type, from, job.status));
      }
      return applied;
    });
  }

  promote({ now, limit }: { now: number; limit: number }): Promise<PromoteResult> {
    return this.#writes.run((onCommit) => {
      const rows = this.#sql(
        `UPDATE jobs SET status = 'queued', data = json_set(data, '$.updatedAt', ?)
         WHERE seq IN (SELECT seq FROM jobs WHERE status = 'scheduled' AND run_at <= ?
                       ORDER BY run_at, seq LIMIT ?)
         RETURNING *`,
      ).all(now, now, limit) as unknown as JobRow[];
      const promoted = rows.map(rowToJob).sort((a, b) => a.runAt - b.runAt || a.seq - b.seq);
      for (const job of promoted) this.#ready.set(job.seq, job);
      const next = this.#sql(
        "SELECT min(run_at) AS at FROM jobs WHERE status = 'scheduled'",
      ).get() as { at: number | null };
      onCommit(() => {
        for (const job of promoted) this.#counts.move(job.type, "scheduled", "queued");
      });
      return { promoted, nextRunAt: next.at ?? undefined };
    });
  }

  get({ id }: { id: string }): Promise<Job | undefined> {
    const row = this.#sql("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
    return Promise.resolve(row === undefined ? undefined : rowToJob(row));
  }

  list({ status, type, limit, beforeSeq }: ListQuery): Promise<Job[]> {
    const where: string[] = [];
    const values: (string | number)[] = [];
    if (status !== undefined) where.push("status = ?"), values.push(status);
    if (type !== undefined) where.push("type = ?"), values.push(type);
    if (beforeSeq !== undefined) where.push("seq < ?"), values.push(beforeSeq);
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                 ORDER BY seq DESC LIMIT ?`;
    const rows = this.#sql(sql).all(...values, limit) as unknown as JobRow[];
    return Promise.resolve(rows.map(rowToJob));
  }

  delete({ ids, status }: DeleteParams): Promise<DeleteResult> {
    return this.#writes.run((onCommit) => {
      const where: string[] = [];
      const values: string[] = [];
      if (ids !== undefined) {
        where.push("id IN (SELECT value FROM json_each(?))");
        values.push(JSON.stringify(ids));
      }
      if (status !== undefined) where.push("status = ?"), values.push(status);
      const rows = this.#sql(
        `DELETE FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         RETURNING seq, type, status`,
      ).all(...values) as { seq: number; type: string; status: JobStatus }[];
      for (const row of rows) this.#ready.delete(row.seq);
      onCommit(() => {
        for (const row of rows) this.#counts.add(row.type, row.status, -1);
      });
      const unfinished = rows.filter((row) => isUnfinished(row.status)).length;
      return { removed: rows.length, unfinished };
    });
  }

  renewLeases({ owner, until, ids }: RenewParams): Promise<number> {
    return this.#writes.run(() =>
      Number(
        this.#sql(
          `UPDATE jobs SET lease_expires_at = ? WHERE id IN (SELECT value FROM json_each(?))
             AND status = 'in-progress' AND lease_owner = ?`,
        ).run(until, JSON.stringify(ids), owner).changes,
      )
    );
  }

  expiredLeases({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    const rows = this.#sql(
      `SELECT * FROM jobs WHERE status = 'in-progress'
         AND (lease_expires_at IS NULL OR lease_expires_at < ?)
       ORDER BY seq LIMIT ?`,
    ).all(Number.isFinite(now) ? now : NEVER, limit) as unknown as JobRow[];
    return Promise.resolve(rows.map(rowToJob));
  }

  prune({ finishedBefore, keep, limit }: PruneParams): Promise<number> {
    return this.#writes.run((onCommit) => {
      let removed = 0;
      const counts = this.#counts.snapshot().byStatus;
      const byAge = this.#sql(
        `DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE status = ?
           AND finished_at < ? ORDER BY seq LIMIT ?) RETURNING type`,
      );
      const oldest = this.#sql(
        `DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE status = ?
           ORDER BY seq LIMIT ?) RETURNING type`,
      );
      for (const status of FINAL) {
        const aged = byAge.all(status, finishedBefore[status], limit - removed) as {
          type: string;
        }[];
        const excess = Math.min(limit - removed - aged.length, counts[status] - aged.length - keep);
        const extra = excess > 0 ? oldest.all(status, excess) as { type: string }[] : [];
        removed += aged.length + extra.length;
        onCommit(() => {
          for (const { type } of [...aged, ...extra]) this.#counts.add(type, status, -1);
        });
        if (removed >= limit) break;
      }
      return removed;
    });
  }

  counts(): Promise<JobCounts> {
    return Promise.resolve(this.#counts.snapshot());
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
    this.#ready.clear();
    const rows = this.#sql("SELECT * FROM jobs WHERE status = 'queued' ORDER BY seq")
      .all() as unknown as JobRow[];
    for (const row of rows) this.#ready.set(row.seq, rowToJob(row));
  }

  #insertStatement(rows: number): StatementSync {
    const row = `(${INSERT_COLUMNS.map(() => "?").join(", ")})`;
    return this.#sql(
      `INSERT INTO jobs (${INSERT_COLUMNS.join(", ")}) VALUES ${Array(rows).fill(row).join(", ")}`,
    );
  }

  #sql(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
