/**
 * Messages between the servers sharing a schema, through `LISTEN/NOTIFY`: a channel per topic
 * (`SCHEMA_TOPIC`), listened on the client's one listening connection (postgres.js listens
 * again after a reconnect; what was sent meanwhile is lost, as the `Broadcast` contract says).
 * @module
 */

import type { Broadcast, BroadcastListener } from "../broadcast.ts";
import { asStoreError, type Sql } from "./connection.ts";
import { settlesWithin } from "../../primitives/settles_within.ts";
import { UNLISTEN_MS } from "./ready_wakeups.ts";

/**
 * @example
 * ```ts ignore
 * const broadcast = new PgBroadcast(sql, "denoqueue");
 * const stop = broadcast.listen("keys", (id) => console.log("revoked", id));
 * await broadcast.send("keys", ["k1"]);
 * ```
 */
export class PgBroadcast implements Broadcast {
  #sql: Sql;
  #schema: string;
  #listening = new Set<Promise<{ unlisten(): Promise<void> } | undefined>>();

  constructor(sql: Sql, schema: string) {
    this.#sql = sql;
    this.#schema = schema;
  }

  async send(topic: string, payloads: string[]): Promise<void> {
    if (payloads.length === 0) return;
    try {
      await this.#sql`
        SELECT pg_notify(${this.channel(topic)}, payload)
          FROM unnest(${payloads}::text[]) WITH ORDINALITY AS sent (payload, n) ORDER BY n`;
    } catch (error) {
      throw asStoreError(error);
    }
  }

  listen(topic: string, listener: BroadcastListener): () => void {
    const listening = this.#sql.listen(this.channel(topic), listener).catch(() => undefined);
    this.#listening.add(listening);
    return () => {
      if (!this.#listening.delete(listening)) return;
      listening.then((hold) => hold?.unlisten()).catch(() => {});
    };
  }

  /** The channel of `topic` in this schema. */
  channel(topic: string): string {
    return `${this.#schema}_${topic}`;
  }

  /** Stops every listener (before the client ends). */
  async close(): Promise<void> {
    const all = [...this.#listening];
    this.#listening.clear();
    // Bounded like the ready wake-ups' (the listening connection ends with the client).
    await settlesWithin(
      Promise.all(all.map(async (listening) => await (await listening)?.unlisten())).catch(
        () => {},
      ),
      UNLISTEN_MS,
    );
  }
}
