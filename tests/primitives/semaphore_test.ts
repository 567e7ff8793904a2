import assert from "node:assert/strict";
import { Semaphore } from "../../queue/primitives/semaphore.ts";

/** Starts `acquire` and records when it settles, so tests can see who got in and in what order. */
function track(promise: Promise<void>, log: string[], name: string): Promise<void> {
  return promise.then(
    () => void log.push(name),
    (error) => {
      log.push(`${name} rejected`);
      throw error;
    },
  );
}

/** Lets every already-settled promise run its callbacks. */
function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("Semaphore constructor rejects a capacity that is not a positive integer", () => {
  for (const capacity of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => new Semaphore(capacity), RangeError, `capacity ${capacity}`);
  }
  assert.throws(() => new Semaphore(0), /capacity must be a positive integer, received 0/);
});

Deno.test("Semaphore.acquire() takes free permits at once", async () => {
  const room = new Semaphore(3);
  await room.acquire();
  await room.acquire(2);
  assert.equal(room.available, 0);
  assert.equal(room.waiting, 0);
  assert.equal(room.capacity, 3);
});

Deno.test("Semaphore.acquire() serves waiters first come, first served", async () => {
  const room = new Semaphore(1);
  await room.acquire();
  const log: string[] = [];
  const all = ["a", "b", "c"].map((name) => track(room.acquire(), log, name));
  assert.equal(room.waiting, 3);
  for (let i = 0; i < 3; i++) {
    room.release();
    await flush();
    assert.deepEqual(log, ["a", "b", "c"].slice(0, i + 1));
  }
  await Promise.all(all);
  assert.equal(room.available, 0);
});

Deno.test("Semaphore.acquire() lets a large waiter at the head block smaller later ones", async () => {
  const room = new Semaphore(3);
  await room.acquire(3);
  const log: string[] = [];
  const big = track(room.acquire(3), log, "big");
  const small = track(room.acquire(1), log, "small");
  room.release(2);
  await flush();
  // Two permits are free, enough for "small", but "big" came first.
  assert.deepEqual(log, []);
  assert.equal(room.available, 2);
  assert.equal(room.tryAcquire(1), false, "tryAcquire must not jump the queue either");
  room.release(1);
  await big;
  assert.deepEqual(log, ["big"]);
  room.release(1);
  await small;
  assert.deepEqual(log, ["big", "small"]);
  assert.equal(room.available, 0);
});

Deno.test("Semaphore.acquire() takes several permits all or nothing", async () => {
  const room = new Semaphore(4);
  await room.acquire(3);
  const log: string[] = [];
  const pair = track(room.acquire(2), log, "pair");
  await flush();
  assert.deepEqual(log, []);
  assert.equal(room.available, 1, "a waiter holds no permits until it gets all of them");
  room.release(1);
  await pair;
  assert.equal(room.available, 0);
});

Deno.test("Semaphore.acquire() removes an aborted waiter and lets the next one in", async () => {
  const room = new Semaphore(2);
  await room.acquire(1);
  const controller = new AbortController();
  const log: string[] = [];
  const big = track(room.acquire(2, { signal: controller.signal }), log, "big");
  const small = track(room.acquire(1), log, "small");
  assert.equal(room.waiting, 2);
  const reason = new Error("gave up");
  controller.abort(reason);
  await assert.rejects(big, (error) => error === reason);
  await small;
  assert.deepEqual(log, ["big rejected", "small"]);
  assert.equal(room.waiting, 0);
  assert.equal(room.available, 0);
});

Deno.test("Semaphore.acquire() rejects at once when the signal is already aborted", async () => {
  const room = new Semaphore(1);
  await room.acquire();
  const reason = new Error("already gone");
  await assert.rejects(room.acquire(1, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  assert.equal(room.waiting, 0);
});

Deno.test("Semaphore.acquire() ignores an abort after it was served", async () => {
  const room = new Semaphore(1);
  await room.acquire();
  const controller = new AbortController();
  const waiting = room.acquire(1, { signal: controller.signal });
  room.release();
  await waiting;
  controller.abort();
  assert.equal(room.available, 0, "an abort after being served must not give permits back");
  room.release();
  assert.equal(room.available, 1);
});

Deno.test("Semaphore.acquire() rejects a permit count outside 1..capacity", async () => {
  const room = new Semaphore(2);
  for (const permits of [0, -1, 3, 1.5, NaN]) {
    await assert.rejects(async () => await room.acquire(permits), RangeError, `${permits}`);
    assert.throws(() => room.tryAcquire(permits), RangeError);
  }
  assert.throws(() => room.tryAcquire(3), /permits must be an integer from 1 to 2, received 3/);
  assert.equal(room.available, 2);
});

Deno.test("Semaphore.release() rejects a permit count that is not a positive integer", () => {
  const room = new Semaphore(2);
  room.force(2);
  for (const permits of [0, -1, 1.5, NaN]) {
    assert.throws(() => room.release(permits), /permits must be a positive integer/, `${permits}`);
  }
  assert.equal(room.available, 0);
});

Deno.test("Semaphore.release() pays back more than capacity at once after force()", () => {
  // Jobs found in the store at start-up may exceed capacity; they may also finish together.
  const room = new Semaphore(2);
  room.force(5);
  room.release(3);
  assert.equal(room.available, 0);
  room.release(2);
  assert.equal(room.available, 2);
});

Deno.test("Semaphore.release() never raises available past capacity", () => {
  const room = new Semaphore(2);
  assert.equal(room.tryAcquire(1), true);
  room.release(2);
  assert.equal(room.available, 2);
  room.release(1);
  assert.equal(room.available, 2);
});

Deno.test("Semaphore.tryAcquire() reports whether it took the permits", () => {
  const room = new Semaphore(2);
  assert.equal(room.tryAcquire(2), true);
  assert.equal(room.tryAcquire(1), false);
  assert.equal(room.available, 0);
});

Deno.test("Semaphore.force() takes permits past capacity and release() pays them back", async () => {
  const room = new Semaphore(2);
  room.force(3);
  assert.equal(room.available, -1);
  assert.equal(room.tryAcquire(1), false);
  const log: string[] = [];
  const waiter = track(room.acquire(1), log, "waiter");
  room.release(1);
  await flush();
  assert.deepEqual(log, [], "still over capacity: nothing is free yet");
  room.release(1);
  await waiter;
  assert.deepEqual(log, ["waiter"]);
  assert.equal(room.available, 0);
});
