/**
 * Group commit for SQLite: writes from concurrent callers are gathered and run in one
 * transaction, each inside its own savepoint so one failing write undoes only itself.
 * A caller's promise settles only after the transaction commits.
 * @module
 */

import type { DatabaseSync } from "node:sqlite";
import { clearImmediate, setImmediate } from "node:timers";

/** Registers work to do only if the transaction commits (e.g. updating in-memory counters). */
export type OnCommit = (effect: () => void) => void;

interface Pending {
  op: (onCommit: OnCommit) => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** A write could not be committed; nothing of it was stored. */
export class StoreWriteError extends Error {
  constructor(cause: unknown) {
    super(`The database could not commit: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
    });
    this.name = "StoreWriteError";
  }
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

  /** `maxBatch`: writes that trigger a commit at once rather than at the next tick. */
  constructor(readonly db: DatabaseSync, readonly maxBatch = 10_000) {}

  /** Queues `op` for the next commit (at the next tick, or sooner if many are waiting). */
  run<T>(op: (onCommit: OnCommit) => T): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
    if (this.#pending.length >= this.maxBatch) this.flush();
    // After this turn of the event loop: every write that arrived in it shares the commit.
    else this.#timer ??= setImmediate(() => this.flush());
    return promise;
  }

  /** Runs `op` now, in one transaction with every write waiting: for claims on the hot path. */
  runNow<T>(op: (onCommit: OnCommit) => T): Promise<T> {
    const promise = this.run(op);
    this.flush();
    return promise;
  }

  /** Commits every waiting write now. */
  flush(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    const effects: (() => void)[] = [];
    try {
      this.db.exec("BEGIN IMMEDIATE");
      for (const { op } of batch) {
        this.db.exec("SAVEPOINT write");
        const mine: (() => void)[] = [];
        try {
          const value = op((effect) => mine.push(effect));
          this.db.exec("RELEASE write");
          effects.push(...mine);
          outcomes.push({ ok: true, value });
        } catch (error) {
          this.db.exec("ROLLBACK TO write");
          this.db.exec("RELEASE write");
          // SQLite's own failures (disk full, I/O) are the storage's, not the caller's input.
          const fromSqlite = (error as { code?: string })?.code === "ERR_SQLITE_ERROR";
          outcomes.push({ ok: false, error: fromSqlite ? new StoreWriteError(error) : error });
        }
      }
      this.db.exec("COMMIT");
    } catch (error) {
      try {
        if (this.db.isTransaction) this.db.exec("ROLLBACK");
      } catch { /* the rollback failing too changes nothing for the callers */ }
      const failure = new StoreWriteError(error);
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

  /** Commits what waits and stops the timer. */
  close(): void {
    this.flush();
  }
}
