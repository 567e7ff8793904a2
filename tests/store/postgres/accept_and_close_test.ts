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
import { acceptAndClose } from "../../support/accept_and_close.ts";

Deno.test("a server that accepts and closes at once: the query fails as unavailable, no busy reconnects", async () => {
  const listener = acceptAndClose();
  const sql = connect(`postgres://denoqueue@127.0.0.1:${listener.port}/jobs`, {
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
    const before = listener.accepted;
    await settlesWithin(new Promise(() => {}), 1_000);
    await second;
    assert.ok(
      listener.accepted - before <= 20,
      `${listener.accepted - before} connections in a second`,
    );
  } finally {
    await sql.end({ timeout: 0 });
    await listener.close();
  }
});
