/**
 * The server lock across a PostgreSQL restart: the store's pool is back within a second of the
 * database (`reconnectDelay`), so the lock must be too. A migration that asks for the schema
 * as soon as the database is back must be refused while the store is open and writing.
 */

import assert from "node:assert/strict";
import { connect } from "../../../queue/store/postgres/connection.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { tryOwnServerLock } from "../../../queue/store/postgres/server_lock.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { waitFor } from "../../support/wait.ts";
import { makeJob } from "../contract/harness.ts";

Deno.test("after PostgreSQL restarts, a migration cannot take the schema from an open store", async () => {
  const cluster = await postgresCluster();
  const url = await cluster.createDatabase();
  const schema = "retake";
  const store = await PostgresStore.open(url, { schema });
  let down = false;
  try {
    down = true;
    await cluster.crash();
    await cluster.start();
    down = false;
    // The store writes again ...
    await waitFor(
      () => store.insert({ jobs: [makeJob("after")] }).then(() => true, () => false),
      { timeout: 10_000, interval: 20, message: "the store writing again" },
    );
    // ... so it holds its lock: a migration asking now is refused.
    const tool = connect(url, { schema, synchronousCommit: "on", max: 1, keepOpen: true });
    try {
      assert.equal(
        await tryOwnServerLock(tool, schema),
        false,
        "a migration took the schema of a store that writes",
      );
    } finally {
      await tool.end({ timeout: 1 });
    }
  } finally {
    if (down) await cluster.start();
    await store.close();
  }
});
