/**
 * Durable on PostgreSQL, tried on the real process: `kill -9` in the middle of a run on a
 * private cluster, a restart on the same database, and every acknowledged job completes. The
 * PostgreSQL store is shared (not `exclusive`), so the restart cannot tell a dead process's
 * jobs from a live one's: it rescues them as their leases expire, short here (`--lease 1s`).
 */

import assert from "node:assert/strict";
import { FIXTURES } from "./fixtures/handlers.ts";
import { checkAcknowledged, enqueueAll, executionCounts, stop } from "./support/crash_run.ts";
import { postgresCluster } from "./support/postgres.ts";
import { startService } from "./support/process.ts";
import { waitFor } from "./support/wait.ts";

Deno.test("main.ts on PostgreSQL after kill -9 loses no acknowledged job; counts match the rows", async () => {
  const cluster = await postgresCluster();
  const database = await cluster.createDatabase();
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-pg-durable-" });
  const sideFile = `${dir}/executions.log`;
  Deno.writeTextFileSync(sideFile, "");
  const args = [
    ...["--store", database, "--handlers", FIXTURES, "--capacity", "10000", "--lease", "1s"],
  ];
  const first = await startService(args);
  // 20 ms a job: the rest takes seconds to run when the kill is due.
  const job = { type: "t-records", payload: { file: sideFile, ms: 20 } };
  // 3,000 jobs over HTTP: 20 batches of 100 and 1,000 single enqueues, 20 requests in flight.
  const requests = [
    ...Array.from({ length: 20 }, () => Array.from({ length: 100 }, () => job)),
    ...Array.from({ length: 1000 }, () => job),
  ];
  const acknowledged = await enqueueAll(first.url, requests, 20);
  assert.equal(acknowledged.size, 3000, "every enqueue was acknowledged");
  await waitFor(() => Deno.readTextFileSync(sideFile).split("\n").length > 1000, {
    timeout: 60_000,
    interval: 2,
  });
  const killed = await stop(first, "SIGKILL");
  assert.equal(killed.signal, "SIGKILL");
  const executedBeforeKill = Deno.readTextFileSync(sideFile).trim().split("\n").length;

  const second = await startService(args);
  try {
    const stats = await waitFor(async () => {
      const stats = await fetch(`${second.url}/api/stats`).then((r) => r.json());
      const { queued, scheduled } = stats.byStatus;
      return queued + scheduled + stats.byStatus["in-progress"] === 0 ? stats : undefined;
    }, { timeout: 90_000, interval: 100, message: "the queue to be idle" });
    const { missing, interrupted, twice } = await checkAcknowledged(
      second.url,
      acknowledged,
      executionCounts(sideFile),
      /Process died while running|Node stopped heartbeating/,
    );
    assert.equal(missing, 0, "no acknowledged job is lost");
    assert.ok(executedBeforeKill < acknowledged.size, "the kill came mid-run");
    // What the API counts is what the table holds.
    const rows = await cluster.psql(
      "SELECT status, count(*) FROM denoqueue.jobs GROUP BY status ORDER BY status",
      new URL(database).pathname.slice(1),
    );
    const inTable = Object.fromEntries(
      rows.trim().split("\n").map((line) => line.split("|")).map(([s, n]) => [s, Number(n)]),
    );
    const inApi = Object.fromEntries(
      Object.entries(stats.byStatus as Record<string, number>).filter(([, n]) => n > 0),
    );
    assert.deepEqual(inApi, inTable);
    assert.deepEqual(inTable, { completed: acknowledged.size });
    console.log(
      `crash test (PostgreSQL): acknowledged ${acknowledged.size}, completed ` +
        `${inTable.completed}, lost ${missing}, executed before kill ${executedBeforeKill}, ` +
        `interrupted ${interrupted}, ran twice ${twice}`,
    );
  } finally {
    assert.equal((await stop(second, "SIGTERM")).code, 0);
  }
});
