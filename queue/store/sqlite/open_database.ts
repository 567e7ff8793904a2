/**
 * Opening the SQLite file: the lock file, the pragmas, migrations and an integrity check, and
 * an open error explained by what usually causes it.
 * @module
 */

import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { StoreOpenError } from "../errors.ts";
import { migrate } from "./schema.ts";

/** How to open the file. */
export interface OpenDatabaseOptions {
  /** `full` commits with `synchronous=FULL`; otherwise `synchronous=NORMAL`. */
  durability?: "normal" | "full";
  /** Extra `PRAGMA`s applied at open, e.g. `{ cache_size: -64000 }`. */
  pragmas?: Record<string, string | number>;
}

/** A database ready for use, and the lock held on its file (none for `:memory:`). */
export interface OpenedDatabase {
  db: DatabaseSync;
  /** The schema version the file had before this start (0 for a new file). */
  migratedFrom: number;
  lock: Deno.FsFile | undefined;
}

function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Deno's advice (more permissions) is wrong here: /proc and friends refuse whatever we hold.
  const refused = /^Requires \w+ access to (".*?")/.exec(message);
  if (refused !== null) {
    return `${
      refused[1]
    } cannot be used for a database (choose a folder you can write, e.g. ./data)`;
  }
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
 * Opens (creating and migrating as needed) the database at `path` and hands it to `use`, whose
 * result it returns. `use` runs under the same guard as the opening, since its first reads can
 * fail too: on any error the database and the lock are closed and a `StoreOpenError` thrown.
 *
 * @example
 * ```ts ignore
 * const version = openDatabase("./data/denoqueue.db", {}, ({ migratedFrom }) => migratedFrom);
 * ```
 */
export function openDatabase<T>(
  path: string,
  options: OpenDatabaseOptions,
  use: (opened: OpenedDatabase) => T,
): T {
  let db: DatabaseSync | undefined;
  let lock: Deno.FsFile | undefined;
  const lockPath = `${path}.lock`;
  let lockCreated = false;
  try {
    if (path !== ":memory:") {
      mkdirSync(dirname(path), { recursive: true });
      // One DenoQueue per file: a lock held for the store's life on `PATH.lock`.
      lockCreated = !existsSync(lockPath);
      lock = Deno.openSync(lockPath, { create: true, write: true });
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
    return use({ db, migratedFrom: from, lock });
  } catch (error) {
    try {
      db?.close();
    } catch { /* it was never usable */ }
    lock?.close();
    // A lock file this start created is not left behind by a start that failed.
    if (lockCreated) {
      try {
        Deno.removeSync(lockPath);
      } catch { /* gone already, or not ours to remove */ }
    }
    throw new StoreOpenError(path, explain(error), { cause: error });
  }
}
