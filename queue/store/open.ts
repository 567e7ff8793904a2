/**
 * Opens the store a `--store` value names: `memory`, `sqlite:PATH` or
 * `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (`postgresql://` too).
 * @module
 */

import type { Logger } from "../primitives/logger.ts";
import { MemoryStore } from "./memory/memory_store.ts";
import { redactUrl } from "./postgres/connection.ts";
import { DEFAULT_SCHEMA, PostgresStore } from "./postgres/postgres_store.ts";
import { type Durability, SqliteStore } from "./sqlite/sqlite_store.ts";
import type { Store } from "./store.ts";

/** How to open a store; each driver reads the options that concern it. */
export interface StoreOptions {
  /** SQLite: the sync level. */
  durability?: Durability;
  logger?: Logger;
  /** PostgreSQL: the schema holding the tables. Default `denoqueue`. */
  schema?: string;
  /** PostgreSQL: `synchronous_commit`, `on` (default) or `off`. */
  synchronousCommit?: "on" | "off";
}

/** Whether `spec` names a PostgreSQL database. */
export function isPostgresSpec(spec: string): boolean {
  return /^postgres(ql)?:\/\//.test(spec);
}

/**
 * Opens a store that needs no connection: `memory` or `sqlite:PATH` (PostgreSQL needs
 * {@linkcode connectStore}).
 *
 * @example
 * ```ts
 * import { openStore } from "./open.ts";
 * const store = openStore("memory");
 * await store.close();
 * ```
 */
export function openStore(spec: string, options: StoreOptions = {}): Store {
  if (spec === "memory") return new MemoryStore();
  if (spec.startsWith("sqlite:")) return SqliteStore.open(spec.slice("sqlite:".length), options);
  if (isPostgresSpec(spec)) {
    throw new TypeError("a PostgreSQL store is opened with connectStore(), which awaits it");
  }
  throw new TypeError(`store must be memory or sqlite:PATH, received ${JSON.stringify(spec)}`);
}

/**
 * Opens any store `spec` names, connecting and migrating a PostgreSQL one. Throws
 * `StoreOpenError` (naming the URL without its password) when it cannot be used.
 *
 * @example
 * ```ts
 * import { connectStore } from "./open.ts";
 * const store = await connectStore("memory");
 * await store.close();
 * ```
 */
export function connectStore(spec: string, options: StoreOptions = {}): Promise<Store> {
  if (isPostgresSpec(spec)) {
    return PostgresStore.open(spec, {
      schema: options.schema,
      synchronousCommit: options.synchronousCommit,
    });
  }
  try {
    return Promise.resolve(openStore(spec, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `spec` as it may be shown: a URL's password replaced by `***`. */
export function redactStoreSpec(spec: string): string {
  return redactUrl(spec);
}

/** How the log names a store spec. */
export function describeStore(spec: string, options: StoreOptions = {}): string {
  if (spec === "memory") return "memory store";
  if (isPostgresSpec(spec)) {
    return `PostgreSQL ${redactStoreSpec(spec)} (schema ${options.schema ?? DEFAULT_SCHEMA}, ` +
      `synchronous_commit ${options.synchronousCommit ?? "on"})`;
  }
  return `SQLite ${spec.slice(7)} (durability ${options.durability ?? "normal"})`;
}
