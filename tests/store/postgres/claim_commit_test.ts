/**
 * A claim's transaction commits without waiting for the WAL flush (`synchronous_commit` off for
 * that transaction only): nothing is acknowledged by a claim, and the outcome that follows is
 * flushed, claim included. The session keeps its own setting for every other write.
 */

import assert from "node:assert/strict";
import { connect } from "../../../queue/store/postgres/connection.ts";
import { claimJobs } from "../../../queue/store/postgres/job_writes.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { claimOf, makeJob, T } from "../contract/harness.ts";

Deno.test("a claim commits without waiting for the flush; the session stays synchronous", async () => {
  const url = await (await postgresCluster()).createDatabase();
  const store = await PostgresStore.open(url);
  const sql = connect(url, { schema: "denoqueue", synchronousCommit: "on", max: 1 });
  try {
    await store.insert({ jobs: [makeJob("job-1"), makeJob("job-2")] });
    const [claimed, during] = await sql.begin(async (tx) => {
      const jobs = await claimJobs(tx, claimOf(1, "w1", T));
      const [{ synchronous_commit }] = await tx`SHOW synchronous_commit`;
      return [jobs, synchronous_commit];
    });
    assert.deepEqual(claimed.map((job: { id: string }) => job.id), ["job-1"]);
    assert.equal(during, "off");
    const [{ synchronous_commit: after }] = await sql`SHOW synchronous_commit`;
    assert.equal(after, "on");
    // Through the store too: the claim is stored, the next one takes the other job.
    assert.deepEqual((await store.claim(claimOf(5, "w2", T))).map((job) => job.id), ["job-2"]);
    assert.equal((await store.get({ id: "job-1" }))?.status, "in-progress");
  } finally {
    await sql.end();
    await store.close();
  }
});
