/**
 * A server stopped (SIGTERM) while its PostgreSQL is away, with outcomes waiting to be written
 * and jobs left running: its shutdown is still clean (exit 0) within main.ts's limit. The jobs
 * it cannot put back stay in progress under its leases, for the rescuer; the store's close is
 * bounded too.
 */

import assert from "node:assert/strict";
import { FIXTURES } from "../../fixtures/handlers.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { startService } from "../../support/process.ts";
import { runningJobs, stop } from "../../support/crash_run.ts";
import { waitFor } from "../../support/wait.ts";

Deno.test("SIGTERM while PostgreSQL is away: a clean exit within the shutdown's limit", async () => {
  const cluster = await postgresCluster();
  const store = await cluster.createDatabase();
  const service = await startService([
    ...["--store", store, "--workers", "4", "--handlers", FIXTURES],
    // Jobs still running at SIGTERM are left to put back (which fails: the database is away).
    // The close grace only widens main.ts's limit (nothing here waits for it): 2 + 2 + 10 s.
    ...["--shutdown-grace", "0s", "--kill-grace", "0s", "--close-grace", "2s"],
  ]);
  let down = false;
  try {
    // Quick ones, whose outcomes come during the outage; ones that ignore their signal, still
    // running at SIGTERM (their workers are ended, the jobs left to put back).
    await runningJobs(service.url, [
      ...[300, 400, 500, 600].map((ms) => ({ type: "t-slow", payload: { ms } })),
      ...Array.from({ length: 4 }, () => ({ type: "t-ignores", payload: {} })),
    ]);
    await cluster.stop();
    down = true;
    await waitFor(
      () => service.lines.some((line) => line.includes("record job outcomes")),
      { timeout: 10_000, message: "an outcome waiting for the database" },
    );
    const started = Date.now();
    const { code } = await stop(service, "SIGTERM");
    const took = Date.now() - started;
    console.log(`shutdown during the outage: exit ${code} after ${took} ms`);
    const overran = service.lines.some((line) => line.includes("Shutdown took longer"));
    assert.ok(
      service.lines.some((line) => line.includes("Could not put 4 unfinished job(s) back")),
      "the jobs left running could not be put back, and were left to the rescuer",
    );
    assert.ok(!overran, `the shutdown overran its limit:\n${service.lines.slice(-30).join("\n")}`);
    assert.equal(code, 0, `exit ${code} after ${took} ms:\n${service.lines.slice(-30).join("\n")}`);
  } finally {
    if (down) await cluster.start();
  }
});
