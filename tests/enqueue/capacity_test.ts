/**
 * Capacity: room for unfinished jobs, backpressure, and the Retry-After hint of a full queue.
 */

import assert from "node:assert/strict";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import {
  EnqueueAbortedError,
  QueueFullError,
  ShuttingDownError,
  ValidationError,
} from "../../queue/errors.ts";

/** The `retryAfterSeconds` of a reserve refused by a full queue of `limit` at `rate` jobs/s. */
async function retryAfterFor(limit: number, count: number, rate: number): Promise<number> {
  const capacity = new Capacity({ limit, enqueueWait: 1, finishingRate: () => rate });
  capacity.occupy(limit);
  const error = await capacity.reserve(count).catch((e) => e);
  assert.ok(error instanceof QueueFullError, String(error));
  return error.retryAfterSeconds;
}

Deno.test("Capacity.reserve() takes room at once while there is some", async () => {
  const capacity = new Capacity({ limit: 5 });
  await capacity.reserve(3);
  assert.deepEqual(capacity.usage(), { limit: 5, used: 3, waiting: 0 });
  await capacity.reserve(2);
  assert.equal(capacity.usage().used, 5);
});

Deno.test("Capacity.reserve() refuses a batch larger than the capacity", async () => {
  const capacity = new Capacity({ limit: 3 });
  const error = await capacity.reserve(4).catch((e) => e);
  assert.ok(error instanceof ValidationError);
  assert.equal(error.field, "jobs");
  assert.equal(capacity.usage().used, 0);
});

Deno.test("Capacity.reserve() waits for room and takes it once released", async () => {
  const capacity = new Capacity({ limit: 2, enqueueWait: 60_000 });
  await capacity.reserve(2);
  const waiting = capacity.reserve(1);
  assert.equal(capacity.usage().waiting, 1);
  capacity.release(1);
  await waiting;
  assert.deepEqual(capacity.usage(), { limit: 2, used: 2, waiting: 0 });
});

Deno.test("Capacity.reserve() refuses a full queue with QueueFullError after enqueueWait", async () => {
  const capacity = new Capacity({ limit: 1, enqueueWait: 5 });
  await capacity.reserve(1);
  const error = await capacity.reserve(1).catch((e) => e);
  assert.ok(error instanceof QueueFullError);
  assert.deepEqual(capacity.usage(), { limit: 1, used: 1, waiting: 0 });
});

Deno.test("Capacity.reserve() derives retryAfterSeconds from the finishing rate", async () => {
  assert.equal(await retryAfterFor(10, 10, 2), 10 / 2);
  assert.equal(await retryAfterFor(10, 3, 2), Math.ceil(3 / 2));
  assert.equal(await retryAfterFor(10, 1, 0), 1, "no rate known: one second");
  assert.equal(await retryAfterFor(10, 1, 50), 1, "at least one second");
  assert.equal(await retryAfterFor(10, 10, 0.01), 60, "capped at a minute");
});

Deno.test("Capacity.reserve() with an aborted signal rejects with EnqueueAbortedError, taking nothing", async () => {
  const capacity = new Capacity({ limit: 2, enqueueWait: 60_000 });
  await capacity.reserve(1);
  const reason = new Error("client went away");
  const error = await capacity.reserve(2, { signal: AbortSignal.abort(reason) }).catch((e) => e);
  assert.ok(error instanceof EnqueueAbortedError);
  assert.equal(error.cause, reason);
  assert.deepEqual(capacity.usage(), { limit: 2, used: 1, waiting: 0 });
  await capacity.reserve(1); // the room left is still free
  assert.equal(capacity.usage().used, 2);
});

Deno.test("Capacity.reserve() gives up when its signal aborts while waiting", async () => {
  const capacity = new Capacity({ limit: 1, enqueueWait: 60_000 });
  await capacity.reserve(1);
  const controller = new AbortController();
  const waiting = capacity.reserve(1, { signal: controller.signal }).catch((e) => e);
  controller.abort(new Error("gone"));
  assert.ok(await waiting instanceof EnqueueAbortedError);
  assert.deepEqual(capacity.usage(), { limit: 1, used: 1, waiting: 0 });
  capacity.release(1);
  assert.equal(capacity.usage().used, 0, "the abandoned waiter took nothing");
});

Deno.test("Capacity.close() makes a waiting reserve reject with ShuttingDownError", async () => {
  const capacity = new Capacity({ limit: 1, enqueueWait: 60_000 });
  await capacity.reserve(1);
  const waiting = capacity.reserve(1).catch((e) => e);
  capacity.close();
  assert.ok(await waiting instanceof ShuttingDownError);
  assert.equal(capacity.usage().waiting, 0);
  await assert.rejects(() => capacity.reserve(1), ShuttingDownError);
});

Deno.test("Capacity.hasRoom() tells whether one more job fits, taking nothing", async () => {
  const capacity = new Capacity({ limit: 2 });
  await capacity.reserve(1);
  assert.equal(capacity.hasRoom(), true);
  assert.equal(capacity.hasRoom(), true);
  assert.equal(capacity.usage().used, 1);
  await capacity.reserve(1);
  assert.equal(capacity.hasRoom(), false);
});

Deno.test("Capacity.release() gives room back; zero releases nothing", async () => {
  const capacity = new Capacity({ limit: 3 });
  await capacity.reserve(3);
  capacity.release(0);
  assert.equal(capacity.usage().used, 3);
  capacity.release(2);
  assert.equal(capacity.usage().used, 1);
  assert.equal(capacity.hasRoom(), true);
});

Deno.test("Capacity.occupy() counts jobs past the limit; room returns only below it", () => {
  const capacity = new Capacity({ limit: 2 });
  capacity.occupy(5);
  assert.deepEqual(capacity.usage(), { limit: 2, used: 5, waiting: 0 });
  assert.equal(capacity.hasRoom(), false);
  capacity.release(2);
  capacity.release(1);
  assert.equal(capacity.usage().used, 2);
  assert.equal(capacity.hasRoom(), false);
  capacity.release(1);
  assert.equal(capacity.hasRoom(), true);
  capacity.occupy(0);
  assert.equal(capacity.usage().used, 1);
});

Deno.test("Capacity.usage() counts enqueues waiting for room", async () => {
  const capacity = new Capacity({ limit: 2, enqueueWait: 60_000 });
  await capacity.reserve(2);
  const first = capacity.reserve(1);
  const second = capacity.reserve(2);
  assert.deepEqual(capacity.usage(), { limit: 2, used: 2, waiting: 2 });
  capacity.release(2);
  await first;
  assert.deepEqual(capacity.usage(), { limit: 2, used: 1, waiting: 1 });
  capacity.release(1);
  await second;
  assert.deepEqual(capacity.usage(), { limit: 2, used: 2, waiting: 0 });
});

Deno.test("Capacity.release() gives back more than the limit at once after occupy() past it", () => {
  const capacity = new Capacity({ limit: 2 });
  capacity.occupy(5);
  capacity.release(3);
  assert.deepEqual(capacity.usage(), { limit: 2, used: 2, waiting: 0 });
  capacity.release(2);
  assert.equal(capacity.usage().used, 0);
});
