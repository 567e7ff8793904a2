/**
 * Scheduler: scheduled jobs moved to queued when due, on demand or on its own timer.
 */

import assert from "node:assert/strict";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { type JobEvent, JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { Scheduler } from "../../queue/maintenance/scheduler.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { recordStore } from "../support/recording_store.ts";
import { afterQueuedCallbacks, within } from "../support/wait.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;
const HOUR = 3_600_000;

function setup() {
  const store = new MemoryStore();
  const events = new JobEvents();
  const requeued: JobEvent[] = [];
  events.on((event) => event.type === "requeued" && requeued.push(event));
  let readyCalls = 0;
  let ready = Promise.withResolvers<void>();
  const scheduler = new Scheduler({
    store,
    events,
    now: () => T,
    notifyReady: () => {
      readyCalls++;
      ready.resolve();
    },
  });
  /** Stores `count` scheduled jobs due at `runAt`. */
  const schedule = async (count: number, runAt: number) => {
    const jobs = Array.from({ length: count }, () => ({
      ...buildJob(registry, { type: "noop", payload: {} }, "", T - HOUR),
      status: "scheduled" as const,
      runAt,
    }));
    return await store.insert({ jobs });
  };
  const nextReady = () => {
    ready = Promise.withResolvers<void>();
    return ready.promise;
  };
  return { store, scheduler, requeued, schedule, nextReady, readyCalls: () => readyCalls };
}

Deno.test("Scheduler.runOnce() promotes every due job, past one batch, and leaves the rest", async () => {
  const { store, scheduler, requeued, schedule, readyCalls } = setup();
  const due = [...await schedule(1_003, T - 1000), ...await schedule(2, T)];
  const later = await schedule(3, T + 1);
  assert.equal(await scheduler.runOnce(), due.length);
  const { byStatus } = await store.counts();
  assert.equal(byStatus.queued, due.length);
  assert.equal(byStatus.scheduled, later.length);
  for (const job of later) assert.equal((await store.get({ id: job.id }))?.status, "scheduled");
  assert.equal(requeued.length, due.length);
  const ids = new Set(requeued.map((e) => e.type === "requeued" && e.job.id));
  assert.deepEqual(ids, new Set(due.map((job) => job.id)));
  assert.ok(requeued.every((e) => e.type === "requeued" && e.job.status === "queued"));
  assert.ok(readyCalls() >= 1, "the pool told");
});

Deno.test("Scheduler.runOnce() with nothing due moves nothing and tells no one", async () => {
  const { store, scheduler, requeued, schedule, readyCalls } = setup();
  await schedule(2, T + HOUR);
  assert.equal(await scheduler.runOnce(), 0);
  assert.equal((await store.counts()).byStatus.scheduled, 2);
  assert.deepEqual(requeued, []);
  assert.equal(readyCalls(), 0);
});

Deno.test("Scheduler.start() promotes jobs already due with no call to wakeAt", async () => {
  const { store, scheduler, schedule, nextReady } = setup();
  const [due] = await schedule(1, T - 5);
  const [later] = await schedule(1, T + HOUR);
  const ready = nextReady();
  scheduler.start();
  try {
    await within(ready, "notifyReady");
    assert.equal((await store.get({ id: due.id }))?.status, "queued");
    assert.equal((await store.get({ id: later.id }))?.status, "scheduled");
  } finally {
    await scheduler.stop();
  }
});

Deno.test("Scheduler.wakeAt() runs a pass when the time comes", async () => {
  const { store, scheduler, schedule, nextReady, readyCalls } = setup();
  scheduler.start(); // Nothing due: its first pass finds nothing.
  await afterQueuedCallbacks();
  const [due] = await schedule(1, T);
  await afterQueuedCallbacks();
  assert.equal(readyCalls(), 0);
  const ready = nextReady();
  scheduler.wakeAt(T);
  try {
    await within(ready, "notifyReady");
    assert.equal((await store.get({ id: due.id }))?.status, "queued");
  } finally {
    await scheduler.stop();
  }
});

Deno.test("Scheduler.stop() waits for a pass in progress, which starts no further batch", async () => {
  const { store, schedule } = setup();
  await schedule(1_001, T - 1000); // two batches' worth
  const recorded = recordStore(store);
  const events = new JobEvents();
  const scheduler = new Scheduler({
    store: recorded.store,
    events,
    now: () => T,
    notifyReady() {},
  });
  const held = recorded.hold("promote");
  scheduler.start();
  await within(held.reached, "the scheduler's first batch");
  let stopped = false;
  const stopping = scheduler.stop().then(() => stopped = true);
  await afterQueuedCallbacks();
  assert.equal(stopped, false, "stop() resolved while a batch was still being promoted");
  held.release();
  await within(stopping, "stop()");
  assert.deepEqual(recorded.calls, ["promote", "promote:end"]);
  const { byStatus } = await store.counts();
  assert.equal(byStatus.queued, 1_000);
  assert.equal(byStatus.scheduled, 1, "left for the next start");
});

Deno.test("Scheduler.wakeAt() does nothing before start() and after stop(): another node leads", async () => {
  const { store, scheduler, schedule, nextReady, readyCalls } = setup();
  const [due] = await schedule(1, T);
  scheduler.wakeAt(T);
  await afterQueuedCallbacks();
  await afterQueuedCallbacks();
  assert.equal((await store.get({ id: due.id }))?.status, "scheduled", "not started");
  scheduler.start();
  await scheduler.stop();
  const [later] = await schedule(1, T);
  scheduler.wakeAt(T);
  await afterQueuedCallbacks();
  await afterQueuedCallbacks();
  assert.equal((await store.get({ id: later.id }))?.status, "scheduled", "stopped");
  const calls = readyCalls();
  const ready = nextReady();
  scheduler.start(); // Leading again: both are due.
  try {
    await within(ready, "notifyReady");
    assert.equal(readyCalls(), calls + 1);
    assert.equal((await store.get({ id: later.id }))?.status, "queued");
  } finally {
    await scheduler.stop();
  }
});
