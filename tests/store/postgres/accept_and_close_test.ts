/**
 * A port that accepts each connection and closes it before a byte is sent (a proxy or a port
 * forward whose database is gone): a query fails at once, as unavailable, and the client tries
 * again at its backoff's pace. postgres.js alone reconnects at once, hundreds of times a second,
 * and the query never fails (porsager/postgres#1193); `openSocket` in `connection.ts` ends such
 * an attempt with an error.
 */

import assert from "node:assert/strict";
import { connect, isUnavailable } from "../../../queue/store/postgres/connection.ts";
import { settlesWithin } from "../../../queue/primitives/settles_within.ts";

Deno.test("a server that accepts and closes at once: the query fails as unavailable, no busy reconnects", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const accepting = (async () => {
    for await (const connection of listener) {
      accepted++;
      connection.close();
    }
  })().catch(() => {});
  const { port } = listener.addr as Deno.NetAddr;
  const sql = connect(`postgres://denoqueue@127.0.0.1:${port}/jobs`, {
    schema: "denoqueue",
    synchronousCommit: "on",
    max: 1,
  });
  try {
    let failure: unknown;
    const query = sql`SELECT 1`.then(() => {}, (error) => void (failure = error));
    assert.ok(await settlesWithin(query, 2_000), "the query failed within 2 s");
    assert.ok(isUnavailable(failure), `unavailable: ${failure}`);
    // A second query, then a second's look at how often the client connects meanwhile.
    const second = sql`SELECT 1`.catch(() => {});
    const before = accepted;
    await settlesWithin(new Promise(() => {}), 1_000);
    await second;
    assert.ok(accepted - before <= 20, `${accepted - before} connections in a second`);
  } finally {
    await sql.end({ timeout: 0 });
    listener.close();
    await accepting;
  }
});
