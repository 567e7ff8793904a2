/**
 * A job whose handler ends while PostgreSQL is away: its outcome is written once the database is
 * back, on the attempt that ran it, instead of being dropped (the job would then wait out its
 * lease, be rescued as interrupted and run again).
 */

import assert from "node:assert/strict";
import { FIXTURES } from "../../fixtures/handlers.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { startService } from "../../support/process.ts";
import { runningJobs, stop } from "../../support/crash_run.ts";
import { waitFor } from "../../support/wait.ts";

Deno.test("an outcome reported during a PostgreSQL outage is written after it, on the same attempt", async () => {
  const cluster = await postgresCluster();
  const store = await cluster.createDatabase();
  const service = await startService(["--store", store, "--workers", "1", "--handlers", FIXTURES]);
  let down = false;
  try {
    const ids = await runningJobs(
      service.url,
      Array.from({ length: 3 }, () => ({ type: "t-slow", payload: { ms: 1_000 } })),
    );

    await cluster.stop();
    down = true;
    // The handlers end while the database is away: their outcomes cannot be written yet.
    await waitFor(
      () => service.lines.some((line) => line.includes("record job outcomes")),
      { timeout: 10_000, message: "the outcomes to be refused while the database is away" },
    );
    await cluster.start();
    down = false;

    for (const id of ids) {
      const job = await waitFor(async () => {
        const response = await fetch(`${service.url}/api/jobs/${id}`);
        if (response.status !== 200) return void await response.body?.cancel();
        const job = await response.json();
        return job.status === "completed" ? job : undefined;
      }, { timeout: 15_000, interval: 50, message: `job ${id} to complete` });
      assert.equal(job.attempts.length, 1, `job ${id} ran once: ${JSON.stringify(job.attempts)}`);
      assert.deepEqual(job.result, { tookMs: 1_000 });
    }
    assert.ok(
      !service.lines.some((line) => line.includes("failed to record job outcomes")),
      "no outcome dropped",
    );
  } finally {
    if (down) await cluster.start();
    assert.equal((await stop(service, "SIGTERM")).code, 0);
  }
});
