/**
 * Manual retries are idempotent: a job is retried once, by one request or by many at once.
 */

import assert from "node:assert/strict";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import { assertError, type JobView, withServer } from "../support/api_server.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("POST /api/jobs/:id/retry a second time answers 409 naming the copy", async () => {
  await withServer({}, async (api) => {
    const original = await api.enqueue("t-throws", { n: 1 }, { maxAttempts: 1 });
    await api.waitForStatus(original.id, "failed");
    const first = await api.post<JobView>(`/api/jobs/${original.id}/retry`);
    assert.equal(first.status, 201);
    const again = await api.post(`/api/jobs/${original.id}/retry`);
    assertError(again, 409, "conflict");
    assert.match(JSON.stringify(again.body), new RegExp(`already retried as job ${first.body.id}`));
    assert.equal((await api.job(original.id)).retriedBy, first.body.id);
    const copies = (await api.jobs()).filter((job) => job.retryOf === original.id);
    assert.deepEqual(copies.map((job) => job.id), [first.body.id]);
  });
});

Deno.test("POST /api/jobs/retry-all three at once on SQLite makes one copy per failed job", async () => {
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-retry-" })}/jobs.db`;
  await withServer({ store: SqliteStore.open(path), capacity: 1_000 }, async (api) => {
    const failing = Array.from({ length: 200 }, (_, n) => ({
      type: "t-throws",
      payload: { n },
      options: { maxAttempts: 1 },
    }));
    assert.equal((await api.post("/api/jobs", failing)).status, 201);
    await waitFor(async () => (await api.stats()).byStatus.failed === 200, {
      timeout: 30_000,
      message: "200 failed jobs",
    });
    assert.equal((await api.post("/api/queue/pause")).status, 200);
    const answers = await Promise.all(
      [1, 2, 3].map(() => api.post<{ retried: number }>("/api/jobs/retry-all?status=failed")),
    );
    const retried = answers.map((answer) => {
      assert.equal(answer.status, 200);
      return answer.body.retried;
    });
    assert.equal(retried.reduce((sum, n) => sum + n, 0), 200, `retried ${retried.join(", ")}`);
    const copies = (await api.jobs()).filter((job) => job.retryOf !== undefined);
    assert.equal(copies.length, 200);
    assert.equal(new Set(copies.map((job) => job.retryOf)).size, 200);
    assert.equal((await api.stats()).byStatus.queued, 200);
    console.log(`retry-all x3: retried ${retried.join(", ")}; ${copies.length} copies`);
  });
});
