/**
 * The PostgreSQL schema's migrations: a schema of version 1 moves to the latest with its jobs,
 * and the jobs table is vacuumed after 2% of its rows changed (its own autovacuum settings).
 */

import assert from "node:assert/strict";
import { connect } from "../../../queue/store/postgres/connection.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { migrate, SCHEMA_VERSION } from "../../../queue/store/postgres/schema.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { claimOf, ids, makeJob, T } from "../contract/harness.ts";

Deno.test("PostgresStore.open() migrates a version 1 schema, keeping its jobs", async () => {
  const cluster = await postgresCluster();
  const url = await cluster.createDatabase();
  const sql = connect(url, { schema: "denoqueue", synchronousCommit: "on" });
  try {
    assert.equal(await migrate(sql, "denoqueue", 1), 0);
    await sql`INSERT INTO jobs (id, status, type, run_at, updated_at, data)
      VALUES ('old', 'queued', 'email', ${T}, ${T}, ${makeJob("old") as never}::json)`;
  } finally {
    await sql.end();
  }
  const store = await PostgresStore.open(url);
  try {
    assert.equal(store.migratedFrom, 1);
    assert.deepEqual(ids(await store.claim(claimOf(5, "w1", T))), ["old"]);
    const options = await cluster.psql(
      "SELECT array_to_string(reloptions, ',') FROM pg_class " +
        "WHERE oid = 'denoqueue.jobs'::regclass",
      new URL(url).pathname.slice(1),
    );
    assert.match(options, /autovacuum_vacuum_scale_factor=0\.02/);
    assert.match(options, /autovacuum_vacuum_insert_scale_factor=0\.02/);
    assert.equal(SCHEMA_VERSION, 4); // 2: nodes and the leader lease; 3: the autovacuum settings; 4: fewer indexes.
  } finally {
    await store.close();
  }
});
