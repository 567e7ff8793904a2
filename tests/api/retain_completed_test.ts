/**
 * `--retain-completed 0`: a completed job is removed as it completes (as BullMQ's
 * `removeOnComplete` or Graphile Worker do), on every store: a `?wait` still answers it
 * completed, with its result, and its events say so; it is gone from the store at once, stats
 * count what is stored, and their totals what ended. Failed jobs are kept as before.
 * @module
 */

import assert from "node:assert/strict";
import type { JobEvent } from "../../queue/events.ts";
import { PostgresStore } from "../../queue/store/postgres/postgres_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { type JobView, withServer } from "../support/api_server.ts";
import { postgresCluster } from "../support/postgres.ts";

const stores: [string, () => Promise<Store>][] = [
  ["memory", () => Promise.resolve(new MemoryStore())],
  ["SQLite", () => Promise.resolve(SqliteStore.open(`${Deno.makeTempDirSync()}/jobs.db`))],
  ["PostgreSQL", async () => PostgresStore.open(await (await postgresCluster()).createDatabase())],
];

for (const [name, open] of stores) {
  Deno.test(`--retain-completed 0 removes each job as it completes (${name})`, async () => {
    const store = await open();
    await withServer({ store, retainCompleted: 0 }, async (api, server) => {
      const events: JobEvent[] = [];
      const stop = server.queue.events.on((event) => events.push(event));
      try {
        const waited = await api.post<JobView[]>("/api/jobs?wait=10000", [
          { type: "t-succeeds", payload: { value: 1 } },
          { type: "t-succeeds", payload: { value: 2 } },
          { type: "t-unrecoverable", payload: {} },
        ]);
        assert.equal(waited.status, 201);
        const [first, second, failed] = waited.body;
        assert.equal(first.status, "completed");
        assert.equal(second.status, "completed");
        assert.notEqual(first.result, undefined, "the answer carries the result");
        assert.equal(failed.status, "failed");

        for (const job of [first, second]) {
          assert.equal((await api.get(`/api/jobs/${job.id}`)).status, 404, `${job.id} is gone`);
          assert.ok(events.some((e) => e.type === "completed" && e.job.id === job.id));
        }
        assert.equal((await api.job(failed.id)).status, "failed", "failed jobs are kept");
        const stats = await api.stats();
        assert.equal(stats.byStatus.completed, 0, "stats count what is stored");
        assert.equal(stats.byStatus.failed, 1);
        // What the store no longer holds, the totals still count.
        assert.deepEqual(stats.totals, { completed: 2, failed: 1, attempts: 3 });
        assert.equal((await store.counts()).byStatus.completed, 0);
      } finally {
        stop();
      }
    });
  });
}
