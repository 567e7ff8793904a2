/**
 * The schema's server lock: every open PostgresStore holds it shared (servers share a schema),
 * so a tool that takes it exclusively (the migration) cannot while one is open, and a store
 * does not open while the tool holds it.
 */

import assert from "node:assert/strict";
import { StoreOpenError } from "../../../queue/store/errors.ts";
import { connect } from "../../../queue/store/postgres/connection.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { tryOwnServerLock } from "../../../queue/store/postgres/server_lock.ts";
import { postgresCluster } from "../../support/postgres.ts";

Deno.test("PostgresStore holds its schema's server lock shared while open, and refuses to open under a migration", async () => {
  const cluster = await postgresCluster();
  const schema = "server_lock";
  const tool = connect(cluster.url(), { schema, synchronousCommit: "on", max: 1, keepOpen: true });
  try {
    const one = await PostgresStore.open(cluster.url(), { schema });
    const two = await PostgresStore.open(cluster.url(), { schema });
    assert.equal(await tryOwnServerLock(tool, schema), false, "two servers share it");
    await one.close();
    assert.equal(await tryOwnServerLock(tool, schema), false, "one server still holds it");
    await two.close();
    assert.equal(await tryOwnServerLock(tool, schema), true, "free once every server closed");
    await assert.rejects(
      PostgresStore.open(cluster.url(), { schema }),
      (error: Error) =>
        error instanceof StoreOpenError && /being written by a migration/.test(error.message),
    );
    // Another schema is not concerned.
    const other = await PostgresStore.open(cluster.url(), { schema: "server_lock_other" });
    await other.close();
  } finally {
    await tool.end({ timeout: 1 });
  }
});
