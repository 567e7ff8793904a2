/**
 * The Queue facade without workers: capacity and backpressure, the retry policy, cancel,
 * manual retry, and the events each transition emits.
 */

import assert from "node:assert/strict";
import { EnqueueAbortedError, JobStateError, QueueFullError } from "../queue/errors.ts";
import { type JobEvent, JobEvents } from "../queue/events.ts";
import { HandlerRegistry } from "../queue/handlers/registry.ts";
import { Queue } from "../queue/queue.ts";
import { MemoryStore } from "../queue/store/memory/memory_store.ts";
import { FIXTURES } from "./fixtures/handlers.ts";
import { recordStore } from "./support/recording_store.ts";
import { afterQueuedCallbacks, within } from "./support/wait.ts";

async function newQueue(
  options: { capacity?: number; enqueueWait?: number; random?: () => number } = {},
) {
  const registry = await HandlerRegistry.load([FIXTURES]);
  const events = new JobEvents();
  const seen: JobEvent[] = [];
  events.on((event) => seen.push(event));
  const queue = new Queue({ store: new MemoryStore(), registry, events, ...options });
  await queue.open();
  return { queue, seen };
}

const noop = { type: "noop", payload: {} };

Deno.test("Queue.enqueue() waits when the queue is full and goes on when room frees", async () => {
  const { queue } = await newQueue({ capacity: 2, enqueueWait: 10_000 });
  try {
    const [first] = await queue.enqueue([noop, noop]);
    let settled = false;
    const waiting = queue.enqueue([noop]).then((jobs) => (settled = true, jobs));
    await Promise.resolve();
    assert.equal(settled, false);
    assert.equal((await queue.stats()).capacity.waiting, 1);
    await queue.cancel(first.id);
    const [third] = await waiting;
    assert.equal(third.status, "queued");
    assert.equal((await queue.stats()).capacity.used, 2);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.enqueue() serves waiters first come, first served", async () => {
  const { queue } = await newQueue({ capacity: 2, enqueueWait: 10_000 });
  try {
    const held = await queue.enqueue([noop, noop]);
    const order: string[] = [];
    const big = queue.enqueue([noop, noop]).then(() => order.push("big"));
    const small = queue.enqueue([noop]).then(() => order.push("small"));
    await queue.cancel(held[0].id); // room for the small one, but the big one came first
    await Promise.resolve();
    assert.deepEqual(order, []);
    await queue.cancel(held[1].id);
    await big;
    const [queued] = await queue.list({ status: "queued", limit: 1 });
    await queue.cancel(queued.id);
    await small;
    assert.deepEqual(order, ["big", "small"]);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.enqueue() refuses with QueueFullError after enqueueWait and stores nothing", async () => {
  const { queue } = await newQueue({ capacity: 1, enqueueWait: 20 });
  try {
    await queue.enqueue([noop]);
    const error = await queue.enqueue([noop]).catch((e) => e);
    assert.ok(error instanceof QueueFullError);
    assert.ok(error.retryAfterSeconds >= 1);
    assert.equal((await queue.stats()).byStatus.queued, 1);
    assert.equal((await queue.stats()).capacity.waiting, 0);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.enqueue() leaves nothing behind when the caller gives up while waiting", async () => {
  const { queue } = await newQueue({ capacity: 1, enqueueWait: 10_000 });
  try {
    const [held] = await queue.enqueue([noop]);
    const controller = new AbortController();
    const waiting = queue.enqueue([noop], { signal: controller.signal }).catch((e) => e);
    controller.abort(new Error("client went away"));
    const error = await waiting;
    assert.ok(error instanceof EnqueueAbortedError);
    assert.match(String((error.cause as Error).message), /client went away/);
    await queue.cancel(held.id);
    const all = await queue.list({ limit: 10 });
    assert.deepEqual(all.map((job) => job.id), [held.id]);
    assert.equal((await queue.stats()).capacity.used, 0);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.finish() schedules a retry after backoff, then fails when attempts run out", async () => {
  const { queue, seen } = await newQueue({ random: () => 1 });
  try {
    const [job] = await queue.enqueue([{
      type: "noop",
      payload: {},
      options: { maxAttempts: 2, backoff: { base: 1000, factor: 3, cap: 10_000 } },
    }]);
    const [claimed] = await queue.claim(1, "w1");
    await queue.finish([{ job: claimed, outcome: "failed", error: "first" }]);
    const retrying = (await queue.get(job.id))!;
    assert.equal(retrying.status, "scheduled");
    assert.equal(retrying.runAt - retrying.updatedAt, 1000);
    assert.equal(retrying.attempts[0].error, "first");
    assert.ok(seen.some((e) => e.type === "retrying"));
    // Its backoff over: due, then claimed again for attempt 2.
    await queue.store.promote({ now: retrying.runAt, limit: 10 });
    const [again] = await queue.claim(1, "w1");
    assert.equal(again.attempts.length, 2);
    await queue.finish([{ job: again, outcome: "failed", error: "second" }]);
    const failed = (await queue.get(job.id))!;
    assert.equal(failed.status, "failed");
    assert.deepEqual(failed.attempts.map((a) => a.error), ["first", "second"]);
    assert.equal((await queue.stats()).capacity.used, 0);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.finish() ignores a report for a job cancelled meanwhile", async () => {
  const { queue } = await newQueue();
  try {
    await queue.enqueue([noop]);
    const [claimed] = await queue.claim(1, "w1");
    await queue.cancel(claimed.id);
    await queue.finish([{ job: claimed, outcome: "completed", result: 1 }]);
    const job = (await queue.get(claimed.id))!;
    assert.equal(job.status, "cancelled");
    assert.equal(job.result, undefined);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.clear() removes waiting jobs a hundred at a time, and cancels one started meanwhile", async () => {
  const registry = await HandlerRegistry.load([FIXTURES]);
  const events = new JobEvents();
  const cancelledEvents: string[] = [];
  events.on((event) => event.type === "cancelled" && cancelledEvents.push(event.job.id));
  const store = new MemoryStore();
  const queue = new Queue({ store, registry, events });
  await queue.open();
  // Between the first listing and its delete, one of the listed jobs starts.
  const update = store.update.bind(store);
  const remove = store.delete.bind(store);
  const updates: number[] = [];
  const deletes: number[] = [];
  let started: string | undefined;
  store.update = (params) => (updates.push(params.updates.length), update(params));
  store.delete = async (params) => {
    deletes.push(params.ids?.length ?? -1);
    if (started === undefined && params.ids !== undefined) {
      started = params.ids.at(-1)!;
      const listed = (await store.get({ id: started }))!;
      const attempts = [{ number: 1, startedAt: Date.now(), workerId: "w1" }];
      await update({
        updates: [{ from: "queued", job: { ...listed, status: "in-progress", attempts } }],
      });
    }
    return remove(params);
  };
  const told: string[] = [];
  queue.onCancel((id) => told.push(id));
  try {
    const jobs = await queue.enqueue(Array.from({ length: 150 }, () => noop));
    assert.equal(await queue.clear(), 150);
    // Pages of 100 and 50 deleted as they were, no cancellation written for them; the started
    // one cancelled (its worker told), then removed with the rest.
    assert.deepEqual(deletes, [100, 50, -1]);
    assert.deepEqual(updates, [1]);
    assert.deepEqual(told, [started]);
    assert.deepEqual(cancelledEvents.toSorted(), jobs.map((job) => job.id).toSorted());
    assert.equal((await queue.stats()).capacity.used, 0);
    assert.deepEqual(await queue.list({ limit: 10 }), []);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.retry() creates a new job pointing back, only from failed or cancelled", async () => {
  const { queue } = await newQueue();
  try {
    const [job] = await queue.enqueue([{ type: "sleep", payload: { ms: 5 } }]);
    await assert.rejects(() => queue.retry(job.id), JobStateError);
    await queue.cancel(job.id);
    const copy = await queue.retry(job.id);
    assert.notEqual(copy.id, job.id);
    assert.equal(copy.retryOf, job.id);
    assert.deepEqual(copy.payload, { ms: 5 });
    assert.equal((await queue.get(copy.id))?.retryOf, job.id);
    assert.equal((await queue.get(job.id))?.status, "cancelled");
  } finally {
    await queue.close();
  }
});

Deno.test("Queue emits enqueued, started and completed for a job's life", async () => {
  const { queue, seen } = await newQueue();
  try {
    const [job] = await queue.enqueue([noop]);
    const [claimed] = await queue.claim(1, "w1");
    queue.progress(job.id, 40);
    await queue.finish([{ job: claimed, outcome: "completed", result: "ok" }]);
    assert.deepEqual(seen.map((e) => e.type), ["enqueued", "started", "progress", "completed"]);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue scheduler moves a delayed job to queued when its time comes", async () => {
  const { queue, seen } = await newQueue();
  try {
    const ready = Promise.withResolvers<void>();
    queue.onReady(() => ready.resolve());
    const [job] = await queue.enqueue([{ type: "noop", payload: {}, options: { delay: 30 } }]);
    assert.equal(job.status, "scheduled");
    await ready.promise;
    assert.equal((await queue.get(job.id))?.status, "queued");
    assert.ok(seen.some((e) => e.type === "requeued"));
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.clear() gives back room for jobs found past capacity at start-up", async () => {
  const registry = await HandlerRegistry.load([FIXTURES]);
  const store = new MemoryStore();
  const before = new Queue({ store, registry, events: new JobEvents(), capacity: 3 });
  await before.open();
  await before.enqueue([noop, noop, noop]);
  await before.close();
  // Restarted with a smaller capacity: the three jobs count, past the limit of two.
  const queue = new Queue({ store, registry, events: new JobEvents(), capacity: 2 });
  await queue.open();
  try {
    assert.equal((await queue.stats()).capacity.used, 3);
    assert.equal(await queue.clear("queued"), 3);
    assert.equal((await queue.stats()).capacity.used, 0);
    assert.equal((await queue.enqueue([noop, noop])).length, 2);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.close() waits for a rescuer run in progress; the store is not called after it closes", async () => {
  const registry = await HandlerRegistry.load([FIXTURES]);
  const inner = new MemoryStore();
  const recorded = recordStore(inner);
  let now = 1_000_000;
  // A lease of 20 ms: the rescuer looks every 10 ms.
  const queue = new Queue({
    store: recorded.store,
    registry,
    events: new JobEvents(),
    now: () => now,
    leaseMs: 20,
  });
  await queue.open();
  const [job] = await queue.enqueue([noop]);
  await queue.claim(1, "w1");
  now += 1_000; // its lease has run out
  const held = recorded.hold("expiredLeases");
  await within(held.reached, "the rescuer to look for expired leases");
  let closed = false;
  const closing = queue.close().then(() => closed = true);
  await afterQueuedCallbacks();
  assert.equal(closed, false, "close() resolved while the rescuer was still reading the store");
  held.release();
  await closing;
  await recorded.store.close();
  // The rescuer settled the batch it held before close() resolved, and nothing came after.
  assert.deepEqual(recorded.callsAfterClose, []);
  const rescued = await inner.get({ id: job.id });
  assert.equal(rescued?.attempts[0].outcome, "interrupted");
  const settled = recorded.calls.indexOf("update:end");
  assert.ok(settled >= 0 && settled < recorded.calls.indexOf("close"), recorded.calls.join(" "));
});
