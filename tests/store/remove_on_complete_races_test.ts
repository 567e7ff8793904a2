/**
 * Completed jobs removed by the write that completes them (`JobUpdate.remove`), on every store,
 * against what races them: a rescue that requeued the job and a new attempt that claimed it (the
 * late completion is refused), a retry and a failure for good in the same write (kept), and two
 * removals of one job at once (one applies). Counts always equal the rows.
 */

import assert from "node:assert/strict";
import type { Job } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { PostgresStore } from "../../queue/store/postgres/postgres_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { postgresCluster } from "../support/postgres.ts";
import { assertCountsMatchRows, claimOf, ids, makeJob, T } from "./contract/harness.ts";

const stores: [string, () => Promise<Store>][] = [
  ["memory", () => Promise.resolve(new MemoryStore())],
  ["SQLite", () => Promise.resolve(SqliteStore.open(`${Deno.makeTempDirSync()}/jobs.db`))],
  ["PostgreSQL", async () => PostgresStore.open(await (await postgresCluster()).createDatabase())],
];

const completed = (job: Job) => ({ ...job, status: "completed" as const, finishedAt: T + 5 });

for (const [name, open] of stores) {
  Deno.test(`remove on completion vs rescue, retry, failure and a double completion (${name})`, async () => {
    const store = await open();
    try {
      await store.insert({ jobs: ["a", "b", "c", "d"].map((id) => makeJob(id)) });
      const first = new Map((await store.claim(claimOf(4, "w1", T))).map((job) => [job.id, job]));
      const a = first.get("a")!;
      // Rescue: a's lease ran out; it is queued again, then claimed by a new attempt.
      const rescued = await store.update({
        updates: [{
          from: "in-progress",
          job: { ...a, status: "queued", runAt: T + 70_000 },
          fence: { leaseToken: a.leaseToken, expiredBefore: T + 70_000 },
        }],
      });
      assert.deepEqual(ids(rescued), ["a"]);
      const [again] = await store.claim(claimOf(1, "w2", T + 70_000));
      assert.equal(again.id, "a");
      // One write: a's late completion (refused: another attempt), b completed and removed,
      // c retried (kept, scheduled), d failed for good (kept).
      const b = first.get("b")!, c = first.get("c")!, d = first.get("d")!;
      const applied = await store.update({
        updates: [
          {
            from: "in-progress",
            job: completed(a),
            remove: true,
            fence: { leaseToken: a.leaseToken },
          },
          {
            from: "in-progress",
            job: completed(b),
            remove: true,
            fence: { leaseToken: b.leaseToken },
          },
          {
            from: "in-progress",
            job: { ...c, status: "scheduled", runAt: T + 1_000 },
            fence: { leaseToken: c.leaseToken },
          },
          {
            from: "in-progress",
            job: { ...d, status: "failed", finishedAt: T + 5, error: "no" },
            fence: { leaseToken: d.leaseToken },
          },
        ],
      });
      assert.deepEqual(ids(applied).sort(), ["b", "c", "d"]);
      assert.equal((await store.get({ id: "a" }))?.leaseToken, again.leaseToken, "a still runs");
      assert.equal(await store.get({ id: "b" }), undefined);
      assert.equal((await store.get({ id: "c" }))?.status, "scheduled");
      assert.equal((await store.get({ id: "d" }))?.status, "failed");
      await assertCountsMatchRows(store);
      // Two completions of a's current attempt at once: one removes it, the other is refused.
      const removals = await Promise.all([1, 2].map(() =>
        store.update({
          updates: [{
            from: "in-progress",
            job: completed(again),
            remove: true,
            fence: { leaseToken: again.leaseToken },
          }],
        })
      ));
      assert.equal(removals.flat().length, 1, "removed once");
      assert.equal(await store.get({ id: "a" }), undefined);
      const counts = await store.counts();
      assert.equal(counts.byStatus["in-progress"], 0);
      assert.equal(counts.byStatus.completed, 0);
      await assertCountsMatchRows(store);
    } finally {
      await store.close();
    }
  });
}
