/**
 * QueueStatistics: jobs finished per second and per-type figures, on an injected clock.
 */

import assert from "node:assert/strict";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { QueueStatistics } from "../../queue/observe/queue_stats.ts";
import type { JobCounts } from "../../queue/store/job_store.ts";
import { emptyStatusCounts } from "../../queue/store/status_counts.ts";

/** A time on a whole second, so that offsets below say which second they fall in. */
const T0 = 1_700_000_000_000;

Deno.test("QueueStatistics.finishingRate() sums completed and failed per second over a minute", () => {
  let now = T0;
  const statistics = new QueueStatistics(() => now);
  assert.equal(statistics.finishingRate(), 0);
  statistics.finished(30, 0);
  now = T0 + 29_500; // the 30th second since the start
  statistics.finished(4, 11);
  assert.equal(statistics.finishingRate(), (30 + 4 + 11) / 30);
  now = T0 + 59_999; // a full minute elapsed
  assert.equal(statistics.finishingRate(), (30 + 4 + 11) / 60);
  now = T0 + 75_000; // the first second has left the minute
  assert.equal(statistics.finishingRate(), (4 + 11) / 60);
  now = T0 + 200_000;
  assert.equal(statistics.finishingRate(), 0);
});

Deno.test("QueueStatistics.finished() of nothing changes no rate", () => {
  const statistics = new QueueStatistics(() => T0);
  statistics.finished(0, 0);
  assert.equal(statistics.finishingRate(), 0);
  statistics.finished(0, 3);
  assert.equal(statistics.finishingRate(), 3);
});

Deno.test("QueueStatistics.snapshot() carries counts, capacity, throughput and per-type metrics", () => {
  const statistics = new QueueStatistics(() => T0 + 500);
  statistics.attemptEnded("email", 100, false);
  statistics.attemptEnded("email", 300, true);
  statistics.attemptEnded("sms", 40, false);
  statistics.finished(2, 1);
  const counts: JobCounts = {
    byStatus: { ...emptyStatusCounts(), queued: 4, completed: 2 },
    byType: { email: { ...emptyStatusCounts(), queued: 4 } },
    retried: { failed: 0, cancelled: 0 },
  };
  const capacity = new Capacity({ limit: 8 });
  capacity.occupy(4);
  const stats = statistics.snapshot(counts, capacity.usage());
  assert.deepEqual(stats.byStatus, counts.byStatus);
  assert.deepEqual(stats.byType, counts.byType);
  assert.deepEqual(stats.capacity, { limit: 8, used: 4, waiting: 0 });
  assert.equal(stats.throughput.completedPerSecond, 2);
  assert.equal(stats.throughput.failedPerSecond, 1);
  assert.equal(stats.throughput.windowSeconds, 60);
  assert.equal(stats.throughput.series.completed.at(-1), 2);
  assert.equal(stats.throughput.series.failed.at(-1), 1);
  assert.equal(stats.throughput.series.completed.reduce((a, b) => a + b), 2);
  assert.deepEqual(stats.types.email, {
    samples: 2,
    meanMs: (100 + 300) / 2,
    p95Ms: 300,
    failureRate: 1 / 2,
  });
  assert.deepEqual(stats.types.sms, { samples: 1, meanMs: 40, p95Ms: 40, failureRate: 0 });
});

Deno.test("QueueStatistics.snapshot() throughput series keeps per-second history, oldest first", () => {
  let now = T0;
  const statistics = new QueueStatistics(() => now);
  statistics.finished(5, 0);
  now = T0 + 3_000;
  statistics.finished(1, 2);
  const { series } = statistics.snapshot(
    { byStatus: emptyStatusCounts(), byType: {}, retried: { failed: 0, cancelled: 0 } },
    new Capacity().usage(),
  ).throughput;
  assert.deepEqual(series.completed.slice(-4), [5, 0, 0, 1]);
  assert.deepEqual(series.failed.slice(-4), [0, 0, 0, 2]);
  assert.equal(series.completed.length, series.failed.length);
});
