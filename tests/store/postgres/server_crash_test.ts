/**
 * PostgreSQL itself crashing mid-run (an immediate shutdown: the WAL not yet written is lost).
 * Claims commit without waiting for their flush, so a crash may undo some: those jobs are
 * queued again. Every job acknowledged before the crash is still there after the database's
 * recovery, and completes; the server reconnects by itself, soon.
 */

import assert from "node:assert/strict";
import { FIXTURES } from "../../fixtures/handlers.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { startService } from "../../support/process.ts";
import { stop } from "../../support/crash_run.ts";
import { waitFor } from "../../support/wait.ts";

const JOBS = 1_600;
const BATCH = 100;

/** Every job of the store, paged through `GET /api/jobs`: id → status. */
async function allJobs(url: string): Promise<Map<string, string>> {
  const jobs = new Map<string, string>();
  let next: string | null = "/api/jobs?limit=1000";
  while (next !== null) {
    const response: Response = await fetch(url + next);
    for (const job of await response.json()) jobs.set(job.id, job.status);
    next = /<([^>]+)>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
  }
  return jobs;
}

Deno.test("PostgreSQL crashing mid-run loses no acknowledged job; claims undone run again", async () => {
  const cluster = await postgresCluster();
  const store = await cluster.createDatabase();
  const service = await startService([
    ...["--store", store, "--workers", "2", "--concurrency", "4", "--handlers", FIXTURES],
    ...["--lease", "2s", "--node-timeout", "2s", "--heartbeat", "500ms"],
  ]);
  let crashed = false;
  try {
    const acknowledged: string[] = [];
    for (let sent = 0; sent < JOBS; sent += BATCH) {
      const response = await fetch(`${service.url}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json", prefer: "return=minimal" },
        body: JSON.stringify(
          Array.from({ length: BATCH }, () => ({ type: "t-slow", payload: { ms: 5 } })),
        ),
      });
      assert.equal(response.status, 201);
      acknowledged.push(...(await response.json()).map((job: { id: string }) => job.id));
    }
    // Crash while jobs are being claimed and finished.
    await waitFor(async () => {
      const stats = await fetch(`${service.url}/api/stats`).then((response) => response.json());
      return stats.totals.completed >= 100;
    }, { timeout: 20_000, message: "the first jobs to complete" });
    await cluster.crash();
    crashed = true;
    // Answered at once, not after a reconnect's growing backoff (postgres.js alone: seconds).
    const unfinished = await fetch(`${service.url}/api/stats`, {
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(unfinished.status, 503, "the store is out of reach");
    await unfinished.body?.cancel();
    await cluster.start();
    crashed = false;

    const jobs = await waitFor(async () => {
      const response = await fetch(`${service.url}/api/stats`);
      if (response.status !== 200) return void await response.body?.cancel();
      const { byStatus } = await response.json();
      if (byStatus.completed < JOBS) return undefined;
      return await allJobs(service.url);
    }, {
      // The pool reconnects within about a second (postgres.js alone waits up to 20 s), the
      // jobs it held are rescued as their 2 s leases run out.
      timeout: 20_000,
      interval: 200,
      message: "every acknowledged job to complete within 20 s of the restart",
    });
    assert.equal(jobs.size, JOBS, "no job lost, none made up");
    for (const id of acknowledged) assert.equal(jobs.get(id), "completed", id);
  } finally {
    if (crashed) await cluster.start();
    assert.equal((await stop(service, "SIGTERM")).code, 0);
  }
});
