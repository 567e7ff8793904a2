/**
 * A claim run on the client itself (autocommit, as the store runs it), not in a transaction of
 * ours: its `synchronous_commit = off` ends with the statement's own transaction. The next
 * statements on the same connection, even pipelined right behind it, commit synchronously.
 */

import assert from "node:assert/strict";
import { connect } from "../../../queue/store/postgres/connection.ts";
import { claimJobs } from "../../../queue/store/postgres/job_writes.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { claimOf, makeJob, T } from "../contract/harness.ts";

Deno.test("a claim in autocommit does not leave synchronous_commit off on its connection", async () => {
  const url = await (await postgresCluster()).createDatabase();
  const store = await PostgresStore.open(url);
  // One connection: every statement below runs on the connection the claim ran on.
  const sql = connect(url, { schema: "denoqueue", synchronousCommit: "on", max: 1 });
  try {
    await store.insert({ jobs: [makeJob("job-1"), makeJob("job-2"), makeJob("job-3")] });
    const pid = (await sql`SELECT pg_backend_pid() AS pid`)[0].pid;
    const claimed = await claimJobs(sql, claimOf(1, "w1", T));
    assert.deepEqual(claimed.map((job) => job.id), ["job-1"]);
    const [{ setting, same }] = await sql`
      SELECT current_setting('synchronous_commit') AS setting, pg_backend_pid() = ${pid} AS same`;
    assert.equal(same, true, "the same connection");
    assert.equal(setting, "on", "after an awaited claim");
    // Pipelined: sent before the claim's answer came back, on the same connection.
    const [again, [after]] = await Promise.all([
      claimJobs(sql, claimOf(1, "w2", T)),
      sql`SELECT current_setting('synchronous_commit') AS setting`,
    ]);
    assert.deepEqual(again.map((job) => job.id), ["job-2"]);
    assert.equal(after.setting, "on", "a statement pipelined behind the claim");
    // A claim that finds nothing sets nothing either way.
    await sql`UPDATE jobs SET status = 'completed' WHERE id = 'job-3'`;
    assert.deepEqual(await claimJobs(sql, claimOf(1, "w3", T)), []);
    assert.equal((await sql`SHOW synchronous_commit`)[0].synchronous_commit, "on");
  } finally {
    await sql.end();
    await store.close();
  }
});
