/**
 * Retention on both drivers, where the attack on "Correct under stress" found them apart:
 * - the SQLite store sizes "beyond the count" from counts that do not yet include the writes
 *   earlier in the same group commit, so a prune committed with a delete removes jobs that
 *   retention keeps (every completed job, here, with `keep: 5`);
 * - the memory store sizes "beyond the count" before it removes the aged jobs, so when newer
 *   jobs finished long ago it removes jobs that are neither aged nor beyond the count.
 * The contract says both drivers behave the same, and each run here is deterministic.
 */

import assert from "node:assert/strict";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { assertCountsMatchRows, makeJob, T } from "./contract/harness.ts";

const drivers: [string, () => Store][] = [
  ["MemoryStore", () => new MemoryStore()],
  ["SqliteStore", () => SqliteStore.open(`${Deno.makeTempDirSync()}/jobs.db`)],
];

const done = (id: string, finishedAt: number) =>
  makeJob(id, { status: "completed", finishedAt, updatedAt: finishedAt });

const idsLeft = async (store: Store) =>
  (await store.list({ limit: 100 })).map((job) => job.id).sort();

for (const [name, open] of drivers) {
  Deno.test(`${name}: a prune made together with a delete keeps retain-count jobs`, async () => {
    const store = open();
    try {
      await store.insert({ jobs: Array.from({ length: 10 }, (_, i) => done(`d${i}`, T + i)) });
      const nothingAged = { completed: 0, failed: 0, cancelled: 0 };
      // A user's delete and the cleaner's prune arrive in the same turn of the event loop.
      const [deleted, pruned] = await Promise.all([
        store.delete({ ids: ["d0", "d1", "d2", "d3", "d4"] }),
        store.prune({ finishedBefore: nothingAged, keep: 5, limit: 100 }),
      ]);
      assert.equal(deleted.removed, 5);
      assert.equal(pruned, 0, "five completed jobs are left, as many as retention keeps");
      assert.deepEqual(await idsLeft(store), ["d5", "d6", "d7", "d8", "d9"]);
      await assertCountsMatchRows(store);
    } finally {
      await store.close();
    }
  });

  Deno.test(`${name}: prune removes aged jobs and those beyond the count, no others`, async () => {
    const store = open();
    try {
      // Inserted d0..d9; d7, d8, d9 finished long ago (they ran quickly), the others recently.
      await store.insert({
        jobs: Array.from({ length: 10 }, (_, i) => done(`d${i}`, i >= 7 ? T - 1_000 : T + i)),
      });
      const finishedBefore = { completed: T - 10, failed: 0, cancelled: 0 };
      const pruned = await store.prune({ finishedBefore, keep: 5, limit: 100 });
      // d7..d9 are aged; of the seven left, the two oldest are beyond a count of five.
      assert.deepEqual(await idsLeft(store), ["d2", "d3", "d4", "d5", "d6"]);
      assert.equal(pruned, 5);
      await assertCountsMatchRows(store);
    } finally {
      await store.close();
    }
  });
}
