/**
 * Enqueuer: all or nothing, room given back when storing fails, and who is told what.
 */

import assert from "node:assert/strict";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { Enqueuer } from "../../queue/enqueue/enqueuer.ts";
import { ShuttingDownError, ValidationError } from "../../queue/errors.ts";
import { type JobEvent, JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";

const registry = await HandlerRegistry.load([FIXTURES]);
const NOW = 1_700_000_000_000;
const noop = { type: "noop", payload: {} };

function setup(options: { limit?: number; enqueueWait?: number } = {}) {
  const store = new MemoryStore();
  const events = new JobEvents();
  const seen: JobEvent[] = [];
  events.on((event) => seen.push(event));
  const capacity = new Capacity({ limit: 10, ...options });
  const wakes: number[] = [];
  let readyCalls = 0;
  let closed = false;
  const enqueuer = new Enqueuer({
    store,
    registry,
    events,
    capacity,
    now: () => NOW,
    closed: () => closed,
    wakeAt: (at) => wakes.push(at),
    notifyReady: () => readyCalls++,
  });
  return {
    store,
    capacity,
    enqueuer,
    seen,
    wakes,
    readyCalls: () => readyCalls,
    close: () => (closed = true),
  };
}

Deno.test("Enqueuer.enqueue() stores the jobs, takes their room, emits enqueued", async () => {
  const { store, capacity, enqueuer, seen } = setup();
  const jobs = await enqueuer.enqueue([noop, { type: "sleep", payload: { ms: 1 } }]);
  assert.equal(jobs.length, 2);
  assert.deepEqual(await store.get({ id: jobs[1].id }), jobs[1]);
  assert.equal(capacity.usage().used, 2);
  assert.deepEqual(seen.map((e) => e.type === "enqueued" && e.job.id), jobs.map((j) => j.id));
});

Deno.test("Enqueuer.enqueue() stores nothing and takes no room when one job of a batch is bad", async () => {
  const { store, capacity, enqueuer, seen } = setup();
  const bad = { type: "sleep", payload: { ms: "soon" } };
  const error = await enqueuer.enqueue([noop, bad, noop]).catch((e) => e);
  assert.ok(error instanceof ValidationError);
  assert.equal(error.field, "[1].payload.ms");
  assert.deepEqual(await store.list({ limit: 10 }), []);
  assert.equal(capacity.usage().used, 0);
  assert.deepEqual(seen, []);
});

Deno.test("Enqueuer.enqueue() gives the room back when the store refuses the insert", async () => {
  const { store, capacity, enqueuer } = setup();
  const failure = new Error("disk full");
  store.insert = () => Promise.reject(failure);
  const error = await enqueuer.enqueue([noop, noop]).catch((e) => e);
  assert.equal(error, failure);
  assert.equal(capacity.usage().used, 0);
});

Deno.test("Enqueuer.enqueue() of a delayed job calls wakeAt(runAt), not notifyReady", async () => {
  const { enqueuer, wakes, readyCalls } = setup();
  const [job] = await enqueuer.enqueue([{ ...noop, options: { delay: 1000 } }]);
  assert.equal(job.status, "scheduled");
  assert.deepEqual(wakes, [job.runAt]);
  assert.equal(readyCalls(), 0);
});

Deno.test("Enqueuer.enqueue() of ready jobs calls notifyReady once, not wakeAt", async () => {
  const { enqueuer, wakes, readyCalls } = setup();
  await enqueuer.enqueue([noop, noop, noop]);
  assert.equal(readyCalls(), 1);
  assert.deepEqual(wakes, []);
});

Deno.test("Enqueuer.enqueue() of a mixed batch wakes the scheduler and the pool", async () => {
  const { enqueuer, wakes, readyCalls } = setup();
  const jobs = await enqueuer.enqueue([
    { ...noop, options: { delay: 50 } },
    noop,
    { ...noop, options: { delay: 20 } },
  ]);
  assert.deepEqual(wakes, [jobs[0].runAt, jobs[2].runAt]);
  assert.equal(readyCalls(), 1);
});

Deno.test("Enqueuer.enqueue() refuses with ShuttingDownError once closed, taking no room", async () => {
  const { store, capacity, enqueuer, close } = setup();
  close();
  await assert.rejects(() => enqueuer.enqueue([noop]), ShuttingDownError);
  assert.equal(capacity.usage().used, 0);
  assert.deepEqual(await store.list({ limit: 10 }), []);
});

Deno.test("Enqueuer.enqueue() closed while waiting for room stores nothing and gives room back", async () => {
  const { store, capacity, enqueuer, close } = setup({ limit: 1, enqueueWait: 60_000 });
  const [held] = await enqueuer.enqueue([noop]);
  const waiting = enqueuer.enqueue([noop]).catch((e) => e);
  close();
  capacity.release(1); // room comes, but the queue closed meanwhile
  assert.ok(await waiting instanceof ShuttingDownError);
  assert.equal(capacity.usage().used, 0);
  assert.deepEqual((await store.list({ limit: 10 })).map((j) => j.id), [held.id]);
});

Deno.test("Enqueuer.enqueue() refuses an empty list with a ValidationError on jobs", async () => {
  const { enqueuer } = setup();
  const error = await enqueuer.enqueue([]).catch((e) => e);
  assert.ok(error instanceof ValidationError);
  assert.equal(error.field, "jobs");
});

Deno.test("Enqueuer.enqueue() prefixes field names with the index for batches only", async () => {
  const { enqueuer } = setup();
  const bad = { ...noop, options: { timeout: 0 } };
  const single = await enqueuer.enqueue([bad]).catch((e) => e);
  assert.equal(single.field, "options.timeout");
  const array = await enqueuer.enqueue([bad], { batch: true }).catch((e) => e);
  assert.equal(array.field, "[0].options.timeout");
});
