/**
 * PostgreSQL going away and coming back several times in a row (fast shutdowns and crashes)
 * under a running server with jobs flowing: every acknowledged job completes, the server still
 * holds its schema's lock (a migration is refused), LISTEN wake-ups still work, and the node's
 * heartbeat and leadership recover.
 */

import assert from "node:assert/strict";
import type { NodeView } from "../../../api/routes/nodes.ts";
import { FIXTURES } from "../../fixtures/handlers.ts";
import { connect } from "../../../queue/store/postgres/connection.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { makeJob } from "../contract/harness.ts";
import { tryOwnServerLock } from "../../../queue/store/postgres/server_lock.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { startService } from "../../support/process.ts";
import { stop } from "../../support/crash_run.ts";
import { waitFor } from "../../support/wait.ts";

/** Posts `count` jobs; their ids, or none when the store is out of reach. */
async function enqueue(url: string, count: number): Promise<string[]> {
  const response = await fetch(`${url}/api/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json", prefer: "return=minimal" },
    body: JSON.stringify(
      // Attempts to spare: an attempt running when the database goes away for longer than its
      // lease is interrupted (its outcome cannot be written in time), and counts.
      Array.from({ length: count }, () => ({
        type: "t-succeeds",
        payload: { value: 1 },
        options: { maxAttempts: 10 },
      })),
    ),
  });
  if (response.status !== 201) {
    await response.body?.cancel();
    return [];
  }
  return (await response.json()).map((job: { id: string }) => job.id);
}

async function status(url: string, id: string): Promise<string | undefined> {
  const response = await fetch(`${url}/api/jobs/${id}`);
  if (response.status !== 200) return void await response.body?.cancel();
  return (await response.json()).status;
}

Deno.test("PostgreSQL flapping: jobs, server lock, LISTEN wake-ups and the node all recover", async () => {
  const cluster = await postgresCluster();
  const store = await cluster.createDatabase();
  const service = await startService([
    ...["--store", store, "--workers", "2", "--concurrency", "4", "--handlers", FIXTURES],
    ...["--lease", "2s", "--node-timeout", "2s", "--heartbeat", "500ms"],
  ]);
  let down = false;
  const acknowledged: string[] = [];
  let flowing = true;
  const producer = (async () => {
    while (flowing) {
      try {
        acknowledged.push(...await enqueue(service.url, 20));
      } catch { /* the server is busy; try again */ }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  let failed = true;
  try {
    await waitFor(() => acknowledged.length >= 100, { timeout: 20_000, message: "jobs flowing" });
    for (let round = 0; round < 6; round++) {
      down = true;
      if (round % 2 === 0) await cluster.stop();
      else await cluster.crash();
      await cluster.start();
      down = false;
      // Back before the next outage: the store answers again.
      await waitFor(async () => {
        const response = await fetch(`${service.url}/api/stats`);
        await response.body?.cancel();
        return response.status === 200;
      }, { timeout: 15_000, interval: 50, message: `the store back after outage ${round + 1}` });
    }
    flowing = false;
    await producer;

    // Every acknowledged job completes. (More may be stored than acknowledged: an enqueue
    // committed as its connection dropped is answered 503.) Nothing is left to run first.
    await waitFor(async () => {
      const stats = await fetch(`${service.url}/api/stats`);
      if (stats.status !== 200) return void await stats.body?.cancel();
      const { byStatus } = await stats.json();
      return byStatus.queued + byStatus.scheduled + byStatus["in-progress"] === 0 &&
        byStatus.completed + byStatus.failed >= acknowledged.length;
    }, { timeout: 30_000, interval: 200, message: "every acknowledged job to end" });
    for (const id of acknowledged) assert.equal(await status(service.url, id), "completed", id);

    // The server holds its lock again: a migration cannot take it.
    const tool = connect(store, {
      schema: "denoqueue",
      synchronousCommit: "on",
      max: 1,
      keepOpen: true,
    });
    try {
      // The hold is taken again a second after its connection came back.
      await waitFor(async () =>
        !await tryOwnServerLock(tool, "denoqueue").then(async (got) => {
          if (got) await tool`SELECT pg_advisory_unlock_all()`;
          return got;
        }), { timeout: 5_000, interval: 100, message: "the server lock held again" });
      // ... and keeps it.
      assert.equal(await tryOwnServerLock(tool, "denoqueue"), false, "the server holds its lock");
    } finally {
      await tool.end({ timeout: 1 });
    }

    // The node beats and leads again.
    await waitFor(async () => {
      const response = await fetch(`${service.url}/api/nodes`);
      if (response.status !== 200) return void await response.body?.cancel();
      const nodes: NodeView[] = await response.json();
      return nodes.length === 1 && nodes[0].leader && nodes[0].heartbeatAgeMs < 1_500;
    }, { timeout: 10_000, interval: 100, message: "the node beating and leading" });

    // LISTEN works again: jobs another process inserts (no local wake-up) run at once, not at
    // the 5 s safety poll.
    const other = await PostgresStore.open(store);
    try {
      for (let i = 0; i < 5; i++) {
        const id = `after-${i}`;
        const now = Date.now();
        await other.insert({
          jobs: [makeJob(id, {
            type: "t-succeeds",
            payload: { value: i },
            createdAt: now,
            runAt: now,
            updatedAt: now,
          })],
        });
        await waitFor(async () => await status(service.url, id) === "completed", {
          timeout: 10_000,
          interval: 20,
          message: "the job to complete",
        });
        const took = Date.now() - now;
        assert.ok(took < 1_500, `a job took ${took} ms: woken by the safety poll, not LISTEN`);
      }
    } finally {
      await other.close();
    }
    failed = false;
  } finally {
    flowing = false;
    await producer;
    if (down) await cluster.start();
    const { code } = await stop(service, "SIGTERM");
    if (failed || code !== 0) console.error(`the server's log:\n${service.lines.join("\n")}`);
    if (!failed) assert.equal(code, 0, `the server exited ${code}`);
  }
});
