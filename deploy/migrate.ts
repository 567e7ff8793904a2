/**
 * `deno task migrate -- --from sqlite:PATH --to postgres://… [--schema NAME]`: moves every job
 * and key of a SQLite store into PostgreSQL (see `queue/store/sqlite_to_postgres.ts`), and says how many.
 * Exits 1 with the reason, having changed nothing, on a bad flag or a store in use.
 * @module
 */

import { parseArgs } from "node:util";
import { redactUrl } from "../queue/store/postgres/connection.ts";
import { DEFAULT_SCHEMA } from "../queue/store/postgres/postgres_store.ts";
import { migrateSqliteToPostgres, MigrationError } from "../queue/store/sqlite_to_postgres.ts";

const USAGE = "usage: deno task migrate -- --from sqlite:PATH --to postgres://USER@HOST/DB " +
  "[--schema NAME]";

/** The flags read and checked: the SQLite path, the PostgreSQL URL, the schema. */
export function readFlags(args: string[]): { from: string; to: string; schema: string } {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: { from: { type: "string" }, to: { type: "string" }, schema: { type: "string" } },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new MigrationError(`${(error as Error).message}\n${USAGE}`);
  }
  const { from, to, schema = DEFAULT_SCHEMA } = values;
  if (from === undefined || !from.startsWith("sqlite:") || from.length === "sqlite:".length) {
    throw new MigrationError(`--from must be sqlite:PATH (got ${from ?? "nothing"})\n${USAGE}`);
  }
  if (to === undefined || !/^postgres(ql)?:\/\//.test(to)) {
    const got = to === undefined ? "nothing" : redactUrl(to);
    throw new MigrationError(`--to must be a postgres:// URL (got ${got})\n${USAGE}`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new MigrationError(`--schema must be a plain SQL name (got ${schema})`);
  }
  return { from: from.slice("sqlite:".length), to, schema };
}

if (import.meta.main) {
  try {
    const flags = readFlags(Deno.args);
    const report = await migrateSqliteToPostgres(flags);
    const statuses = Object.entries(report.byStatus).map(([status, n]) => `${status} ${n}`);
    console.log(
      `Moved ${report.jobs} job(s) (${statuses.join(", ")}), ${report.attempts} attempt(s) ` +
        `and ${report.keys} key(s) from ${flags.from} to ${redactUrl(flags.to)} ` +
        `(schema ${flags.schema}).`,
    );
  } catch (error) {
    const message = error instanceof MigrationError ? error.message : String(error);
    console.error(`migrate: ${message}`);
    Deno.exit(1);
  }
}
