/**
 * An online backup of a SQLite store: `VACUUM INTO` a new file, from a read-only connection of
 * its own. A server may run on the database meanwhile (WAL: readers and the writer do not
 * block each other); the copy is one consistent moment of it, compacted, and opens as a store.
 * @module
 */

import { DatabaseSync } from "node:sqlite";

/** What a backup wrote. */
export interface BackupReport {
  jobs: number;
  bytes: number;
}

/** Why a backup did not run; the message names the flag at fault. */
export class BackupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BackupError";
  }
}

/** How long the copy waits on a writer's lock before it gives up, in ms. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * Copies the database at `from` into the new file `to`. Throws `BackupError` when `from` is
 * not a DenoQueue database or `to` exists already (it is never overwritten).
 */
export function backupSqlite({ from, to }: { from: string; to: string }): BackupReport {
  try {
    Deno.statSync(from);
  } catch {
    throw new BackupError(`--store: no SQLite database at ${from}`);
  }
  try {
    Deno.lstatSync(to);
    throw new BackupError(`--to: ${to} exists already; a backup never overwrites a file`);
  } catch (error) {
    if (error instanceof BackupError) throw error;
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(from, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new BackupError(`--store: ${(error as Error).message}`, { cause: error });
  }
  try {
    const schema = db.prepare(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'denoqueue_schema'",
    ).get() as { n: number };
    if (schema.n === 0) throw new BackupError(`--store: ${from} is not a DenoQueue database`);
    try {
      db.prepare("VACUUM INTO ?").run(to);
    } catch (error) {
      throw new BackupError(`--to: ${(error as Error).message}`, { cause: error });
    }
  } finally {
    db.close();
  }
  const copy = new DatabaseSync(to, { readOnly: true });
  try {
    const { n } = copy.prepare("SELECT count(*) AS n FROM jobs").get() as { n: number };
    return { jobs: n, bytes: Deno.statSync(to).size };
  } finally {
    copy.close();
  }
}
