/**
 * The lock a running server holds on its schema: a shared session-level advisory lock, on a
 * connection of its own kept open for the store's life (and taken again after a reconnect).
 * Servers share it with one another; a tool that must have the schema to itself (the SQLite →
 * PostgreSQL migration) takes it exclusively with `pg_try_advisory_lock`, which fails while any
 * server holds it, and a server does not start while that tool holds it.
 * @module
 */

import type { Queries, Sql } from "./connection.ts";
import { SchemaError } from "./schema.ts";
import { StoreUnavailableError } from "../errors.ts";

/** The text whose hash is the advisory lock key of `schema`'s servers. */
export function serverLockName(schema: string): string {
  return `denoqueue-server:${schema}`;
}

/** Takes `schema`'s server lock, shared, on the session of `sql`; false while a tool holds it. */
export async function tryShareServerLock(sql: Queries, schema: string): Promise<boolean> {
  const [row] = await sql<{ held: boolean }[]>`
    SELECT pg_try_advisory_lock_shared(hashtextextended(${serverLockName(schema)}, 0)) AS held`;
  return row.held;
}

/**
 * Takes `schema`'s server lock exclusively on the session of `sql`: false while a server (or
 * another tool) holds it.
 */
export async function tryOwnServerLock(sql: Queries, schema: string): Promise<boolean> {
  const [row] = await sql<{ held: boolean }[]>`
    SELECT pg_try_advisory_lock(hashtextextended(${serverLockName(schema)}, 0)) AS held`;
  return row.held;
}

/** How long after losing its connection the holder tries to take the lock again, in ms. */
const RETAKE_MS = 1_000;

/**
 * A server's shared hold on its schema's lock, on a connection of its own.
 *
 * @example
 * ```ts ignore
 * const hold = await ServerLockHold.take((onclose) => connect(url, { ...options, onclose }), "denoqueue");
 * await hold.release();
 * ```
 */
export class ServerLockHold {
  #sql: Sql | undefined;
  #closed = false;
  #retake: ReturnType<typeof setTimeout> | undefined;
  /** Whether the lock is held now; false from a lost connection until it is taken again. */
  #held = true;
  #taking: Promise<boolean> | undefined;

  private constructor(readonly schema: string) {}

  /**
   * Opens a connection with `open` (which gets the callback for a closed connection) and takes
   * the lock, shared. Throws `SchemaError` while a tool holds it exclusively.
   */
  static async take(open: (onclose: () => void) => Sql, schema: string): Promise<ServerLockHold> {
    const hold = new ServerLockHold(schema);
    const sql = hold.#sql = open(() => hold.#lost());
    try {
      if (!await tryShareServerLock(sql, schema)) {
        throw new SchemaError(
          `schema ${schema} is being written by a migration (deno task migrate holds its lock); ` +
            "start the server once it has finished",
        );
      }
    } catch (error) {
      await hold.release();
      throw error;
    }
    return hold;
  }

  /** Lets the lock go and closes its connection. */
  async release(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retake);
    await this.#sql?.end({ timeout: 1 }).catch(() => {});
  }

  /**
   * Resolves once the lock is held, taking it again now if its connection was lost; rejects
   * (unavailable) while it cannot be, e.g. a migration took it meanwhile.
   */
  async held(): Promise<void> {
    if (this.#held) return;
    if (!await this.#takeAgain()) {
      throw new StoreUnavailableError(`the server lock of schema ${this.schema} is not held`);
    }
  }

  /** One attempt at a time to take the lock again. */
  #takeAgain(): Promise<boolean> {
    this.#taking ??= tryShareServerLock(this.#sql!, this.schema).then((held) => {
      if (held && !this.#closed) this.#held = true;
      return held;
    }).finally(() => this.#taking = undefined);
    return this.#taking;
  }

  /** The connection went away, and the lock with it: take it again once the server answers. */
  #lost(): void {
    this.#held = false;
    if (this.#closed || this.#retake !== undefined) return;
    const retake = this.#retake = setTimeout(async () => {
      this.#retake = undefined;
      if (this.#closed || this.#held) return;
      const held = await this.#takeAgain().catch(() => false);
      if (!held) this.#lost();
    }, RETAKE_MS);
    Deno.unrefTimer(retake);
  }
}
