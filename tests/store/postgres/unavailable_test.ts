/**
 * A real server on PostgreSQL: jobs run, and when the database goes away mid-run an enqueue
 * answers 503 `storage_unavailable`; once it is back the client reconnects by itself, new
 * enqueues succeed, and every job acknowledged before is still there and completes.
 */

import assert from "node:assert/strict";
import { FIXTURES } from "../../fixtures/handlers.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { startService } from "../../support/process.ts";
import { stop } from "../../support/crash_run.ts";
import { waitFor } from "../../support/wait.ts";

async function enqueue(url: string, value: number): Promise<Response> {
  return await fetch(`${url}/api/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "t-succeeds", payload: { value } }),
  });
}

async function completed(url: string, id: string): Promise<{ result: unknown }> {
  return await waitFor(async () => {
    const job = await fetch(`${url}/api/jobs/${id}`).then((response) => response.json());
    return job.status === "completed" ? job : undefined;
  }, { timeout: 20_000, message: `job ${id} to complete` });
}

Deno.test("PostgreSQL going away mid-run: 503 storage_unavailable, then recovery, nothing lost", async () => {
  const cluster = await postgresCluster();
  const store = await cluster.createDatabase();
  const service = await startService(["--store", store, "--workers", "1", "--handlers", FIXTURES]);
  let stopped = false;
  try {
    const before = await enqueue(service.url, 1);
    assert.equal(before.status, 201);
    const acknowledged = await before.json();
    assert.deepEqual((await completed(service.url, acknowledged.id)).result, { doubled: 2 });

    await cluster.stop();
    stopped = true;
    const refused = await enqueue(service.url, 2);
    assert.equal(refused.status, 503);
    assert.equal((await refused.json()).error.code, "storage_unavailable");

    await cluster.start();
    stopped = false;
    const after = await waitFor(async () => {
      const response = await enqueue(service.url, 3);
      if (response.status === 201) return await response.json();
      await response.body?.cancel();
    }, { timeout: 20_000, interval: 100, message: "an enqueue to succeed again" });
    assert.deepEqual((await completed(service.url, after.id)).result, { doubled: 6 });
    const kept = await fetch(`${service.url}/api/jobs/${acknowledged.id}`).then((r) => r.json());
    assert.equal(kept.status, "completed", "acknowledged before the outage, still there");
  } finally {
    if (stopped) await cluster.start();
    assert.equal((await stop(service, "SIGTERM")).code, 0);
  }
});
