/**
 * Group commit for SQLite: writes from concurrent callers are gathered and run in one
 * transaction, each inside its own savepoint so one failing write undoes only itself.
 * A caller's promise settles only after the transaction commits.
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";
import { StoreWriteError } from "../errors.ts";

/** Registers work to do only if the transaction commits (e.g. updating in-memory counters). */
export type OnCommit = (effect: () => void) => void;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Pending {
  op: (onCommit: OnCommit) => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** SQLite's own failures (disk full, I/O) are the storage's, not the caller's input. */
export function asStoreError(error: unknown): unknown {
  return (error as { code?: string })?.code === "ERR_SQLITE_ERROR"
    ? new StoreWriteError(error)
    : error;
}

/**
 * @example
 * ```ts ignore
 * const writes = new GroupCommit(db);
 * const id = await writes.run(() => insert.get(...));
 * ```
 */
export class GroupCommit {
  #pending: Pending[] = [];
  #timer: ReturnType<typeof setImmediate> | undefined;
  // Prepared once: `exec` parses its SQL on every call, which costs more than the work here.
  #begin: StatementSync;
  #commit: StatementSync;
  #rollback: StatementSync;
  #savepoint: StatementSync;
  #release: StatementSync;
  #undo: StatementSync;

  readonly maxBatch: number;
  #onRollback: () => void;
  #onCommitted: () => void;

  /**
   * `maxBatch`: writes that trigger a commit at once rather than at the next tick (default
   * 10,000). `onRollback`: called when a whole transaction fails, so in-memory state that
   * writes changed as they ran can be reread. `onCommitted`: called after each commit.
   */
  constructor(
    readonly db: DatabaseSync,
    options: { maxBatch?: number; onRollback?: () => void; onCommitted?: () => void } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 10_000;
    this.#onRollback = options.onRollback ?? (() => {});
    this.#onCommitted = options.onCommitted ?? (() => {});
    this.#begin = db.prepare("BEGIN IMMEDIATE");
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
    this.#savepoint = db.prepare("SAVEPOINT write");
    this.#release = db.prepare("RELEASE write");
    this.#undo = db.prepare("ROLLBACK TO write");
  }

  /** Queues `op` for the next commit (at the next tick, or sooner if many are waiting). */
  run<T>(op: (onCommit: OnCommit) => T): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
    if (this.#pending.length >= this.maxBatch) this.flush();
    // After this turn of the event loop: every write that arrived in it shares the commit.
    else this.#timer ??= setImmediate(() => this.flush());
    return promise;
  }

  /** Commits every waiting write now. */
  flush(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let outcomes: Outcome[] | undefined;
    let effects: (() => void)[] = [];
    try {
      // Optimistic first: every write in one transaction with no savepoints (a savepoint per
      // write is measurable at high rates). Writes rarely fail; when one does, all are undone
      // and redone with a savepoint each, so only the failing one fails.
      ({ outcomes, effects } = this.#runAll(batch, batch.length > 1));
    } catch (error) {
      const failure = new StoreWriteError(error);
      this.#onRollback();
      for (const { reject } of batch) reject(failure);
      return;
    }
    for (const effect of effects) effect();
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }

  /**
   * Runs `batch` in one transaction and commits it. With `optimistic`, the first failure rolls
   * everything back and the batch is run again with savepoints. Throws if the transaction
   * itself fails (after rolling it back).
   */
  #runAll(batch: Pending[], optimistic: boolean): { outcomes: Outcome[]; effects: (() => void)[] } {
    const outcomes: Outcome[] = [];
    const effects: (() => void)[] = [];
    const isolate = batch.length > 1 && !optimistic;
    try {
      this.#begin.run();
      for (const { op } of batch) {
        const mine: (() => void)[] = [];
        const write = () => op((effect) => mine.push(effect));
        try {
          const value = isolate ? this.inSavepoint(write) : write();
          effects.push(...mine);
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (optimistic) {
            this.#rollback.run();
            this.#onRollback();
            return this.#runAll(batch, false);
          }
          outcomes.push({ ok: false, error: asStoreError(error) });
        }
      }
      if (batch.length === 1 && !outcomes[0].ok) {
        // A lone write that failed: the transaction is its own, so nothing is kept.
        this.#rollback.run();
        this.#onRollback();
      } else {
        this.#commit.run();
        this.#onCommitted();
      }
      return { outcomes, effects };
    } catch (error) {
      try {
        if (this.db.isTransaction) this.#rollback.run();
      } catch { /* the rollback failing too changes nothing for the callers */ }
      throw error;
    }
  }

  /**
   * Runs `work` inside a savepoint of the open transaction: if it throws, what it changed is
   * undone and the error rethrown; the rest of the transaction stands.
   */
  inSavepoint<T>(work: () => T): T {
    this.#savepoint.run();
    try {
      const value = work();
      this.#release.run();
      return value;
    } catch (error) {
      this.#undo.run();
      this.#release.run();
      throw error;
    }
  }

  /** Commits what waits and stops the timer. */
  close(): void {
    this.flush();
  }
}
