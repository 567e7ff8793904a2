/**
 * RecentCounts: the stats' counts read at most once per max age, a read in flight shared, a failed
 * one not kept.
 */

import assert from "node:assert/strict";
import { RecentCounts } from "../../queue/observe/recent_counts.ts";
import type { JobCounts } from "../../queue/store/job_store.ts";
import { emptyStatusCounts } from "../../queue/store/status_counts.ts";

/** A store's count that says how often it was read, `queued` being the read's number. */
function countingStore() {
  let reads = 0;
  let failNext = false;
  return {
    get reads() {
      return reads;
    },
    failOnce() {
      failNext = true;
    },
    count(): Promise<JobCounts> {
      reads++;
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error("storage unavailable"));
      }
      const byStatus = { ...emptyStatusCounts(), queued: reads };
      return Promise.resolve({ byStatus, byType: {}, retried: { failed: 0, cancelled: 0 } });
    },
  };
}

Deno.test("RecentCounts.read() reuses a read younger than maxAgeMs, then reads again", async () => {
  let now = 10_000;
  const store = countingStore();
  const counts = new RecentCounts(() => store.count(), 1_000, () => now);
  assert.equal((await counts.read()).byStatus.queued, 1);
  now += 999;
  assert.equal((await counts.read()).byStatus.queued, 1);
  now += 1;
  assert.equal((await counts.read()).byStatus.queued, 2);
  assert.equal(store.reads, 2);
});

Deno.test("RecentCounts.read() shares a read in flight", async () => {
  const store = countingStore();
  const counts = new RecentCounts(() => store.count(), 1_000, () => 0);
  const [a, b] = await Promise.all([counts.read(), counts.read()]);
  assert.equal(a, b);
  assert.equal(store.reads, 1);
});

Deno.test("RecentCounts.read() reads every time with maxAgeMs 0", async () => {
  const store = countingStore();
  const counts = new RecentCounts(() => store.count(), 0, () => 0);
  await counts.read();
  assert.equal((await counts.read()).byStatus.queued, 2);
});

Deno.test("RecentCounts.read() does not reuse a failed read", async () => {
  const store = countingStore();
  const counts = new RecentCounts(() => store.count(), 1_000, () => 0);
  store.failOnce();
  await assert.rejects(counts.read(), /storage unavailable/);
  assert.equal((await counts.read()).byStatus.queued, 2);
});

Deno.test("RecentCounts refuses a negative or non-finite maxAgeMs, naming it", () => {
  const count = () => Promise.reject(new Error("not read"));
  assert.throws(() => new RecentCounts(count, -1), /maxAgeMs must be a number ≥ 0, received -1/);
  assert.throws(() => new RecentCounts(count, NaN), /maxAgeMs .* received NaN/);
});
