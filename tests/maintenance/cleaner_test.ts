/**
 * Cleaner: finished jobs past retention removed, in steps, with an age per status.
 */

import assert from "node:assert/strict";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { Job } from "../../queue/job.ts";
import type { JobStatus } from "../../queue/lifecycle.ts";
import { Cleaner, type Retention } from "../../queue/maintenance/cleaner.ts";
import { Queue } from "../../queue/queue.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import type { PruneParams } from "../../queue/store/job_store.ts";
import { recordStore } from "../support/recording_store.ts";
import { afterQueuedCallbacks, within } from "../support/wait.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;

/** A cleaner over a MemoryStore whose `prune` records each call's params and result. */
function setup(retention: Retention) {
  const store = new MemoryStore();
  const prune = store.prune.bind(store);
  const calls: { params: PruneParams; removed: number }[] = [];
  store.prune = async (params) => {
    const removed = await prune(params);
    calls.push({ params, removed });
    return removed;
  };
  const cleaner = new Cleaner({ store, retention, now: () => T });
  /** Stores `count` jobs that ended in `status` at `finishedAt`. */
  const ended = async (status: JobStatus, count: number, finishedAt: number): Promise<Job[]> => {
    const jobs = Array.from({ length: count }, () => ({
      ...buildJob(registry, { type: "noop", payload: {} }, "", finishedAt - 1),
      status,
      finishedAt,
      updatedAt: finishedAt,
    }));
    return await store.insert({ jobs });
  };
  return { store, cleaner, calls, ended };
}

Deno.test("Cleaner.runOnce() removes finished jobs past their age and beyond the count", async () => {
  let now = 10_000_000;
  const store = new MemoryStore();
  const queue = new Queue({
    store,
    registry,
    events: new JobEvents(),
    now: () => now,
    retention: { completed: 1000, failed: 5000, count: 3 },
  });
  try {
    await queue.open();
    await queue.enqueue(Array.from({ length: 6 }, () => ({ type: "noop", payload: {} })));
    const jobs = await queue.claim(6, "w1");
    await queue.finish(jobs.map((job) => ({ job, outcome: "completed" as const, result: 1 })));
    assert.equal(await queue.maintenance.cleaner.runOnce(), 3, "beyond the count of 3");
    now += 1001;
    assert.equal(await queue.maintenance.cleaner.runOnce(), 3, "older than a second");
    assert.deepEqual(await queue.list({ limit: 10 }), []);
  } finally {
    await queue.close();
  }
});

Deno.test("Cleaner.runOnce() removes in steps until a step removes fewer than the step size", async () => {
  const { store, cleaner, calls, ended } = setup({ completed: 1000, failed: 1000, count: 1e9 });
  assert.equal(await cleaner.runOnce(), 0);
  assert.equal(calls.length, 1, "an empty store: one step");
  const step = calls[0].params.limit;
  calls.length = 0;
  const old = await ended("completed", 2 * step + 3, T - 5000);
  const [recent] = await ended("completed", 1, T);
  assert.equal(await cleaner.runOnce(), old.length);
  assert.deepEqual(calls.map((c) => c.removed), [step, step, 3]);
  assert.ok(calls.every((c) => c.params.limit === step));
  assert.deepEqual((await store.list({ limit: 10 })).map((j) => j.id), [recent.id]);
});

Deno.test("Cleaner.runOnce() keeps stepping when a step removes exactly the step size", async () => {
  const { cleaner, calls, ended } = setup({ completed: 1000, failed: 1000, count: 1e9 });
  await cleaner.runOnce();
  const step = calls[0].params.limit;
  calls.length = 0;
  await ended("failed", step, T - 5000);
  assert.equal(await cleaner.runOnce(), step);
  assert.deepEqual(calls.map((c) => c.removed), [step, 0]);
});

Deno.test("Cleaner.runOnce() ages each status: cancelled uses the failed age", async () => {
  const retention = { completed: 1_000, failed: 5_000, count: 7 };
  const { store, cleaner, calls, ended } = setup(retention);
  const between = T - 3_000; // past the completed age, within the failed one
  const [completed] = await ended("completed", 1, between);
  const kept = [...await ended("failed", 1, between), ...await ended("cancelled", 1, between)];
  const older = [
    ...await ended("failed", 1, T - 6_000),
    ...await ended("cancelled", 1, T - 6_000),
  ];
  await ended("queued", 1, T - 9_000); // unfinished: never pruned
  assert.equal(await cleaner.runOnce(), 1 + older.length);
  assert.deepEqual(calls[0].params.finishedBefore, {
    completed: T - retention.completed,
    failed: T - retention.failed,
    cancelled: T - retention.failed,
  });
  assert.equal(calls[0].params.keep, retention.count);
  assert.equal(await store.get({ id: completed.id }), undefined);
  for (const job of older) assert.equal(await store.get({ id: job.id }), undefined);
  const left = (await store.list({ limit: 10 })).map((j) => j.status).sort();
  assert.deepEqual(left, [...kept.map((j) => j.status), "queued"].sort());
});

Deno.test("Cleaner.start() prunes on its own until stopped", async () => {
  const store = new MemoryStore();
  const pruned = Promise.withResolvers<number>();
  const prune = store.prune.bind(store);
  store.prune = async (params) => {
    const removed = await prune(params);
    if (removed > 0) pruned.resolve(removed);
    return removed;
  };
  const retention = { completed: 1, failed: 1, count: 10 };
  const cleaner = new Cleaner({ store, retention, now: () => T, interval: 5 });
  const job = buildJob(registry, { type: "noop", payload: {} }, "", T - 100);
  await store.insert({ jobs: [{ ...job, status: "completed", finishedAt: T - 100 }] });
  cleaner.start();
  try {
    assert.equal(await pruned.promise, 1);
    assert.equal(await store.get({ id: job.id }), undefined);
  } finally {
    await cleaner.stop();
  }
});

Deno.test("Cleaner.stop() waits for a pass in progress, which starts no further step", async () => {
  const store = new MemoryStore();
  const recorded = recordStore(store);
  const cleaner = new Cleaner({
    store: recorded.store,
    retention: { completed: 1000, failed: 1000, count: 1e9 },
    now: () => T,
    interval: 1,
  });
  const old = Array.from({ length: 10_001 }, () => ({
    ...buildJob(registry, { type: "noop", payload: {} }, "", T - 10_000),
    status: "completed" as const,
    finishedAt: T - 5000,
  }));
  await store.insert({ jobs: old }); // two steps' worth
  const held = recorded.hold("prune");
  cleaner.start();
  await within(held.reached, "the cleaner's first step");
  let stopped = false;
  const stopping = cleaner.stop().then(() => stopped = true);
  await afterQueuedCallbacks();
  assert.equal(stopped, false, "stop() resolved while a step was still pruning");
  held.release();
  await within(stopping, "stop()");
  assert.deepEqual(recorded.calls, ["prune", "prune:end"]);
  assert.equal((await store.counts()).byStatus.completed, 1, "left for the next pass");
});
