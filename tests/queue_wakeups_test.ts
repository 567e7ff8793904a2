/**
 * The queue hears its store's wake-ups: on a store shared by several processes (PostgreSQL),
 * an enqueue in one wakes the ready listeners (the pool) of every other at once, not at the
 * store's safety poll; a closed queue stops listening.
 */

import assert from "node:assert/strict";
import { JobEvents } from "../queue/events.ts";
import { HandlerRegistry } from "../queue/handlers/registry.ts";
import { Queue } from "../queue/queue.ts";
import { MemoryStore } from "../queue/store/memory/memory_store.ts";
import { PostgresStore } from "../queue/store/postgres/postgres_store.ts";
import type { ReadyListener } from "../queue/store/store.ts";
import { FIXTURES } from "./fixtures/handlers.ts";
import { postgresCluster } from "./support/postgres.ts";
import { waitFor } from "./support/wait.ts";

const HOUR = 3_600_000;

Deno.test("Queue on PostgreSQL: an enqueue in one process wakes another's listeners at once", async () => {
  const cluster = await postgresCluster();
  const registry = await HandlerRegistry.load([FIXTURES]);
  // The safety poll is an hour away: only a notification can wake B within the test.
  const open = () =>
    PostgresStore.open(cluster.url(), { schema: "queue_wakeups", readyPollMs: HOUR });
  const storeA = await open();
  const storeB = await open();
  const a = new Queue({ store: storeA, registry, events: new JobEvents() });
  const b = new Queue({ store: storeB, registry, events: new JobEvents() });
  await a.open();
  await b.open();
  let wakes = 0;
  const stop = b.onReady(() => wakes++);
  try {
    // The first wake-up shows B listens (LISTEN is set up in the background).
    await a.enqueue([{ type: "noop", payload: {} }]);
    await waitFor(() => wakes > 0, { timeout: 10_000, message: "B's first wake-up" });
    const before = wakes;
    const started = performance.now();
    await a.enqueue([{ type: "noop", payload: {} }]);
    await waitFor(() => wakes > before, { timeout: 5_000, message: "B woken by A's enqueue" });
    assert.ok(performance.now() - started < 2_000, "woken by the notification, not a poll");
    const claimed = await b.claim(10, "w1");
    assert.equal(claimed.length, 2, "B claims what A enqueued");
  } finally {
    stop();
    await a.close();
    await b.close();
    await storeA.close();
    await storeB.close();
  }
});

Deno.test("Queue.open() subscribes to the store's wake-ups and close() unsubscribes", async () => {
  const listeners = new Set<ReadyListener>();
  const store = new MemoryStore() as MemoryStore & { onReady(l: ReadyListener): () => void };
  store.onReady = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const registry = await HandlerRegistry.load([FIXTURES]);
  const queue = new Queue({ store, registry, events: new JobEvents() });
  await queue.open();
  let wakes = 0;
  queue.onReady(() => wakes++);
  assert.equal(listeners.size, 1);
  for (const listener of listeners) listener(["noop"]);
  assert.equal(wakes, 1, "the store's wake-up reaches the queue's listeners");
  await queue.close();
  assert.equal(listeners.size, 0);
});
