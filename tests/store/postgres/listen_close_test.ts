/**
 * Closing the store's listeners does not wait on a listening connection that never answers
 * (its LISTEN or UNLISTEN waiting for a server not back): a shutdown must not hang on it.
 */

import assert from "node:assert/strict";
import type { Sql } from "../../../queue/store/postgres/connection.ts";
import { PgBroadcast } from "../../../queue/store/postgres/pg_broadcast.ts";
import { ReadyWakeups, UNLISTEN_MS } from "../../../queue/store/postgres/ready_wakeups.ts";
import { settlesWithin } from "../../../queue/primitives/settles_within.ts";

/** A client whose LISTEN never answers (`listened`: how many were asked). */
function silentClient(): Sql & { listened: number } {
  const client = { listened: 0, listen: () => (client.listened++, new Promise(() => {})) };
  return client as unknown as Sql & { listened: number };
}

/** A client whose LISTEN answers at once, and whose UNLISTEN never does. */
function stuckUnlisten(): Sql {
  return {
    listen: () => Promise.resolve({ unlisten: () => new Promise<void>(() => {}) }),
  } as unknown as Sql;
}

for (const [name, client] of [["LISTEN", silentClient], ["UNLISTEN", stuckUnlisten]] as const) {
  Deno.test(`ReadyWakeups.close() ends though its ${name} never answers`, async () => {
    const sql = client();
    const wakeups = new ReadyWakeups(sql, "denoqueue_ready", 60_000, () => Promise.resolve([]));
    wakeups.add(() => {});
    await Promise.resolve();
    assert.ok(await settlesWithin(wakeups.close(), UNLISTEN_MS + 2_000), "closed");
  });

  Deno.test(`PgBroadcast.close() ends though its ${name} never answers`, async () => {
    const sql = client();
    const broadcast = new PgBroadcast(sql, "denoqueue");
    broadcast.listen("keys", () => {});
    broadcast.listen("nodes", () => {});
    await Promise.resolve();
    assert.ok(await settlesWithin(broadcast.close(), UNLISTEN_MS + 2_000), "closed");
  });
}

Deno.test("the silent client is asked to LISTEN (the tests above wait on it)", () => {
  const sql = silentClient();
  new ReadyWakeups(sql, "denoqueue_ready", 60_000, () => Promise.resolve([])).add(() => {});
  new PgBroadcast(sql, "denoqueue").listen("keys", () => {});
  assert.equal(sql.listened, 2);
});
