/**
 * ManualRetry: a failed or cancelled job run again as a new job pointing back with `retryOf`.
 */

import assert from "node:assert/strict";
import { ManualRetry } from "../../queue/control/manual_retry.ts";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { Enqueuer } from "../../queue/enqueue/enqueuer.ts";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { JobNotFoundError, JobStateError } from "../../queue/errors.ts";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { Job, NewJob } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;

function setup(limit = 10_000) {
  const store = new MemoryStore();
  const capacity = new Capacity({ limit, enqueueWait: 0 });
  const enqueuer = new Enqueuer({
    store,
    registry,
    events: new JobEvents(),
    capacity,
    now: () => T,
    closed: () => false,
    wakeAt: () => {},
    notifyReady: () => {},
  });
  const retries = new ManualRetry({ store, enqueuer, capacity });
  /** Stores `count` jobs already ended in `status` (they hold no room). */
  const addEnded = async (status: Job["status"], count: number, item: NewJob = noop) => {
    const jobs = Array.from({ length: count }, () => ({
      ...buildJob(registry, item, "", T),
      status,
      finishedAt: T,
    }));
    return await store.insert({ jobs });
  };
  /** The retries made, oldest first, as the ids they point back to. */
  const retriedIds = async () =>
    (await store.list({ limit: 100_000 })).filter((j) => j.retryOf !== undefined).reverse()
      .map((j) => j.retryOf);
  return { store, capacity, retries, addEnded, retriedIds };
}

const noop = { type: "noop", payload: {} };

Deno.test("ManualRetry.retry() enqueues a copy pointing back, with the original's options", async () => {
  const { store, capacity, retries, addEnded } = setup();
  const item = {
    type: "sleep",
    payload: { ms: 3 },
    options: { maxAttempts: 9, timeout: 777, backoff: { base: 5, factor: 3, cap: 50 } },
  };
  const [original] = await addEnded("failed", 1, item);
  const copy = await retries.retry(original.id);
  assert.notEqual(copy.id, original.id);
  assert.equal(copy.retryOf, original.id);
  assert.equal(copy.status, "queued");
  assert.deepEqual(copy.payload, original.payload);
  assert.deepEqual(
    [copy.maxAttempts, copy.timeout, copy.backoff],
    [original.maxAttempts, original.timeout, original.backoff],
  );
  assert.deepEqual(
    await store.get({ id: original.id }),
    { ...original, retriedBy: copy.id },
    "the original keeps its history and records its copy",
  );
  await assert.rejects(() => retries.retry(original.id), /already retried as job/);
  assert.equal(capacity.usage().used, 1);
});

Deno.test("ManualRetry.retry() refuses an unfinished or completed job and an unknown id", async () => {
  const { retries, addEnded } = setup();
  const [queued] = await addEnded("queued", 1);
  const [completed] = await addEnded("completed", 1);
  await assert.rejects(() => retries.retry(queued.id), JobStateError);
  await assert.rejects(() => retries.retry(completed.id), JobStateError);
  await assert.rejects(() => retries.retry("nope"), JobNotFoundError);
});

Deno.test("ManualRetry.retryAll() retries oldest first and skips jobs already retried", async () => {
  const { retries, addEnded, retriedIds } = setup();
  const failed = await addEnded("failed", 4);
  await retries.retry(failed[1].id);
  await addEnded("cancelled", 2);
  const result = await retries.retryAll("failed");
  assert.deepEqual(result, { retried: 3, remaining: 0 });
  assert.deepEqual(
    await retriedIds(),
    [failed[1], failed[0], failed[2], failed[3]].map((j) => j.id),
  );
});

Deno.test("ManualRetry.retryAll() retries only jobs in the given status", async () => {
  const { retries, addEnded, retriedIds } = setup();
  await addEnded("failed", 2);
  const cancelled = await addEnded("cancelled", 2);
  assert.deepEqual(await retries.retryAll("cancelled"), { retried: 2, remaining: 0 });
  assert.deepEqual(await retriedIds(), cancelled.map((j) => j.id));
});

Deno.test("ManualRetry.retryAll() stops when the capacity is full and reports the remaining", async () => {
  const limit = 3;
  const { capacity, retries, addEnded, retriedIds } = setup(limit);
  const failed = await addEnded("failed", limit + 2);
  const result = await retries.retryAll("failed");
  assert.deepEqual(result, { retried: limit, remaining: failed.length - limit });
  assert.deepEqual(await retriedIds(), failed.slice(0, limit).map((j) => j.id));
  assert.equal(capacity.usage().used, limit);
  capacity.release(limit);
  assert.deepEqual(
    await retries.retryAll("failed"),
    { retried: 2, remaining: 0 },
    "the rest later",
  );
});

Deno.test("ManualRetry.retryAll() sees retries across pages of the listing", async () => {
  const { retries, addEnded, retriedIds } = setup();
  const failed = await addEnded("failed", 1_001); // more than a page of a thousand
  await addEnded("completed", 500);
  await retries.retry(failed[0].id); // on the first page, its original on the second
  const result = await retries.retryAll("failed");
  assert.deepEqual(result, { retried: failed.length - 1, remaining: 0 });
  const ids = await retriedIds();
  assert.deepEqual(ids, failed.map((j) => j.id));
});
