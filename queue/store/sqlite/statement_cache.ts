/**
 * Prepared statements by SQL text: each one prepared once and reused until the store closes.
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * @example
 * ```ts ignore
 * const statements = new StatementCache(db);
 * statements.prepare("SELECT * FROM jobs WHERE id = ?").get(id);
 * ```
 */
export class StatementCache {
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** The statement for `sql`, prepared on first use. */
  prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Forgets every statement. */
  clear(): void {
    this.#statements.clear();
  }
}
