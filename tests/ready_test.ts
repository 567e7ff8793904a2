/**
 * Ready notifications: `Queue.onReady` listeners learn which types became ready, from every
 * path by which a job becomes queued (enqueue, promotion when due, put back, retry by hand);
 * and `Queue.claim` takes only the types it is given.
 */

import assert from "node:assert/strict";
import { JobEvents } from "../queue/events.ts";
import { HandlerRegistry } from "../queue/handlers/registry.ts";
import { Queue } from "../queue/queue.ts";
import { typesOf } from "../queue/ready.ts";
import { MemoryStore } from "../queue/store/memory/memory_store.ts";
import { FIXTURES } from "./fixtures/handlers.ts";

const T = 1_700_000_000_000;

/** A queue on a clock the test moves, with every ready notification's types recorded. */
async function recordedQueue() {
  const registry = await HandlerRegistry.load([FIXTURES]);
  const clock = { now: T };
  const queue = new Queue({
    store: new MemoryStore(),
    registry,
    events: new JobEvents(),
    now: () => clock.now,
  });
  await queue.open();
  const notified: (string[] | undefined)[] = [];
  queue.onReady((types) => notified.push(types === undefined ? undefined : [...types].sort()));
  return { queue, clock, notified };
}

Deno.test("typesOf() names each type once", () => {
  const types = typesOf([{ type: "b" }, { type: "a" }, { type: "b" }]);
  assert.deepEqual([...types], ["b", "a"]);
});

Deno.test("Queue.onReady() gets the types of the jobs an enqueue made ready, not the delayed", async () => {
  const { queue, notified } = await recordedQueue();
  try {
    await queue.enqueue([
      { type: "noop", payload: {} },
      { type: "t-throws", payload: {} },
      { type: "noop", payload: {} },
      { type: "t-hangs", payload: {}, options: { delay: 60_000 } },
    ]);
    await queue.enqueue([{ type: "t-hangs", payload: {}, options: { delay: 60_000 } }]);
    assert.deepEqual(notified, [["noop", "t-throws"]]);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.onReady() gets the types of the jobs the scheduler promoted", async () => {
  const { queue, clock, notified } = await recordedQueue();
  try {
    await queue.enqueue([
      { type: "t-hangs", payload: {}, options: { delay: 1_000 } },
      { type: "t-throws", payload: {}, options: { delay: 60_000 } },
    ]);
    clock.now = T + 1_000;
    assert.equal(await queue.maintenance.scheduler.runOnce(), 1);
    assert.deepEqual(notified, [["t-hangs"]]);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.onReady() gets the types of jobs put back, at once or when due", async () => {
  const { queue, clock, notified } = await recordedQueue();
  try {
    await queue.enqueue([{ type: "noop", payload: {} }, { type: "t-throws", payload: {} }]);
    notified.length = 0;
    const [noop, throws] = await queue.claim(2, "w1");
    await queue.requeue([throws]);
    assert.deepEqual(notified, [["t-throws"]]);
    await queue.requeue([noop], { delayMs: 500 });
    assert.deepEqual(notified, [["t-throws"]], "a delayed put-back is not ready yet");
    clock.now = T + 500;
    await queue.maintenance.scheduler.runOnce();
    assert.deepEqual(notified, [["t-throws"], ["noop"]]);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.onReady() gets the type of a job retried by hand", async () => {
  const { queue, notified } = await recordedQueue();
  try {
    const [job] = await queue.enqueue([{ type: "t-hangs", payload: {} }]);
    const [claimed] = await queue.claim(1, "w1");
    await queue.finish([{ job: claimed, outcome: "failed", error: "boom" }]);
    assert.equal((await queue.get(job.id))?.status, "failed");
    notified.length = 0;
    await queue.retry(job.id);
    assert.deepEqual(notified, [["t-hangs"]]);
  } finally {
    await queue.close();
  }
});

Deno.test("Queue.claim() with types takes only those; the others wait for their workers", async () => {
  const { queue } = await recordedQueue();
  try {
    await queue.enqueue([
      { type: "noop", payload: { n: 1 } },
      { type: "t-throws", payload: { n: 2 } },
      { type: "noop", payload: { n: 3 } },
    ]);
    assert.deepEqual(await queue.claim(5, "w1", []), []);
    const throws = await queue.claim(5, "w1", ["t-throws"]);
    assert.deepEqual(throws.map((job) => job.payload), [{ n: 2 }]);
    const rest = await queue.claim(5, "w2");
    assert.deepEqual(rest.map((job) => [job.type, job.payload]), [
      ["noop", { n: 1 }],
      ["noop", { n: 3 }],
    ]);
  } finally {
    await queue.close();
  }
});
