/**
 * `deno task backup -- --store sqlite:PATH --to FILE`: an online backup of a SQLite store (see
 * `queue/store/sqlite/online_backup.ts`), while a server runs on it or not. Exits 1 with the reason on a bad flag.
 * @module
 */

import { parseArgs } from "node:util";
import { BackupError, backupSqlite } from "../queue/store/sqlite/online_backup.ts";

const USAGE = "usage: deno task backup -- --store sqlite:PATH --to FILE";

/** The flags read and checked: the database's path and the new file's. */
export function readFlags(args: string[]): { from: string; to: string } {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: { store: { type: "string" }, to: { type: "string" } },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new BackupError(`${(error as Error).message}\n${USAGE}`);
  }
  const { store, to } = values;
  if (store === undefined || !store.startsWith("sqlite:") || store === "sqlite:") {
    throw new BackupError(`--store must be sqlite:PATH (got ${store ?? "nothing"})\n${USAGE}`);
  }
  if (to === undefined || to === "") throw new BackupError(`--to FILE is missing\n${USAGE}`);
  return { from: store.slice("sqlite:".length), to };
}

if (import.meta.main) {
  try {
    const flags = readFlags(Deno.args);
    const { jobs, bytes } = backupSqlite(flags);
    console.log(`Backed up ${flags.from} to ${flags.to}: ${jobs} job(s), ${bytes} bytes.`);
  } catch (error) {
    const message = error instanceof BackupError ? error.message : String(error);
    console.error(`backup: ${message}`);
    Deno.exit(1);
  }
}
