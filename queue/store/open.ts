/**
 * Opens the store a `--store` value names: `memory` or `sqlite:PATH`.
 * @module
 */

import type { Logger } from "../primitives/logger.ts";
import { MemoryStore } from "./memory/memory_store.ts";
import { type Durability, SqliteStore } from "./sqlite/sqlite_store.ts";
import type { Store } from "./store.ts";

/**
 * @example
 * ```ts
 * import { openStore } from "./open.ts";
 * const store = openStore("memory");
 * await store.close();
 * ```
 */
export function openStore(
  spec: string,
  options: { durability?: Durability; logger?: Logger } = {},
): Store {
  if (spec === "memory") return new MemoryStore();
  if (spec.startsWith("sqlite:")) return SqliteStore.open(spec.slice("sqlite:".length), options);
  throw new TypeError(`store must be memory or sqlite:PATH, received ${JSON.stringify(spec)}`);
}

/** How the log names a store spec. */
export function describeStore(spec: string, durability: Durability): string {
  return spec === "memory" ? "memory store" : `SQLite ${spec.slice(7)} (durability ${durability})`;
}
