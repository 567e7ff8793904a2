/**
 * Clearing: removing one job by id (cancelled first if unfinished), or every job of a status.
 */

import assert from "node:assert/strict";
import { LiveAttempts } from "../../queue/attempts/live_attempts.ts";
import { Cancellation } from "../../queue/control/cancellation.ts";
import { Clearing } from "../../queue/control/clearing.ts";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { JobNotFoundError } from "../../queue/errors.ts";
import { type JobEvent, JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { Job } from "../../queue/job.ts";
import { isUnfinished, type JobStatus } from "../../queue/lifecycle.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;

function setup() {
  const store = new MemoryStore();
  const events = new JobEvents();
  const live = new LiveAttempts(() => T);
  const capacity = new Capacity({ limit: 100 });
  const now = () => T + 10;
  const told: string[] = [];
  const cancellation = new Cancellation({
    store,
    events,
    live,
    capacity,
    now,
    notifyCancelled: (id) => told.push(id),
  });
  const clearing = new Clearing({ store, events, live, capacity, cancellation, now });
  const seen: JobEvent[] = [];
  events.on((event) => seen.push(event));
  /** Stores `count` jobs in `status`; unfinished ones take room, running ones an attempt. */
  const add = async (status: JobStatus, count: number): Promise<Job[]> => {
    if (isUnfinished(status)) await capacity.reserve(count);
    const attempts = status === "in-progress" ? [{ number: 1, startedAt: T, workerId: "w1" }] : [];
    const jobs = Array.from({ length: count }, () => ({
      ...buildJob(registry, { type: "noop", payload: {} }, "", T),
      status,
      attempts,
    }));
    return await store.insert({ jobs });
  };
  const statuses = async () => (await store.list({ limit: 1000 })).map((job) => job.status).sort();
  return { store, capacity, clearing, told, seen, add, statuses };
}

Deno.test("Clearing.clear() of a final status removes only those jobs", async () => {
  const { capacity, clearing, seen, add, statuses } = setup();
  await add("completed", 3);
  await add("failed", 2);
  await add("queued", 1);
  await add("in-progress", 1);
  seen.length = 0;
  assert.equal(await clearing.clear("completed"), 3);
  assert.deepEqual(await statuses(), ["failed", "failed", "in-progress", "queued"]);
  assert.equal(capacity.usage().used, 2, "no room given back");
  assert.deepEqual(seen, [{ type: "cleared", status: "completed", count: 3 }]);
});

Deno.test("Clearing.clear() of queued jobs gives their room back and emits cancelled for each", async () => {
  const { capacity, clearing, told, seen, add, statuses } = setup();
  const queued = await add("queued", 3);
  await add("scheduled", 1);
  seen.length = 0;
  assert.equal(await clearing.clear("queued"), queued.length);
  assert.deepEqual(await statuses(), ["scheduled"]);
  assert.equal(capacity.usage().used, 1);
  assert.deepEqual(told, [], "nothing ran, no worker to tell");
  const cancelled = seen.filter((e) => e.type === "cancelled").map((e) => e.job.id);
  assert.deepEqual(cancelled.toSorted(), queued.map((j) => j.id).toSorted());
  assert.deepEqual(seen.at(-1), { type: "cleared", status: "queued", count: queued.length });
});

Deno.test("Clearing.clear() of running jobs cancels them (their workers told), then removes them", async () => {
  const { capacity, clearing, told, add, statuses } = setup();
  const running = await add("in-progress", 2);
  await add("queued", 1);
  assert.equal(await clearing.clear("in-progress"), running.length);
  assert.deepEqual(await statuses(), ["queued"]);
  assert.deepEqual(told.toSorted(), running.map((j) => j.id).toSorted());
  assert.equal(capacity.usage().used, 1, "room of each running job given back once");
});

Deno.test("Clearing.clear() with no status removes every job and frees all room", async () => {
  const { capacity, clearing, add, statuses } = setup();
  await add("queued", 2);
  await add("scheduled", 1);
  await add("in-progress", 1);
  await add("failed", 1);
  await add("cancelled", 1);
  assert.equal(await clearing.clear(), 6);
  assert.deepEqual(await statuses(), []);
  assert.equal(capacity.usage().used, 0);
});

Deno.test("Clearing.delete() of a running job cancels it first, then emits deleted", async () => {
  const { store, capacity, clearing, told, seen, add } = setup();
  await add("queued", 1);
  const [running] = await add("in-progress", 1);
  seen.length = 0;
  const removed = await clearing.delete(running.id);
  assert.equal(removed.id, running.id);
  assert.equal(await store.get({ id: running.id }), undefined);
  assert.deepEqual(told, [running.id]);
  assert.deepEqual(seen.map((e) => e.type), ["cancelled", "deleted"]);
  assert.deepEqual(seen[1], { type: "deleted", jobId: running.id });
  assert.equal(capacity.usage().used, 1, "its room given back once");
});

Deno.test("Clearing.delete() of a finished job removes it without cancelling", async () => {
  const { store, capacity, clearing, told, seen, add } = setup();
  await add("queued", 1);
  const [done] = await add("completed", 1);
  seen.length = 0;
  await clearing.delete(done.id);
  assert.equal(await store.get({ id: done.id }), undefined);
  assert.deepEqual(told, []);
  assert.deepEqual(seen, [{ type: "deleted", jobId: done.id }]);
  assert.equal(capacity.usage().used, 1);
});

Deno.test("Clearing.delete() of a waiting job gives its room back", async () => {
  const { store, capacity, clearing, add } = setup();
  const [kept, gone] = await add("scheduled", 2);
  await clearing.delete(gone.id);
  assert.equal(await store.get({ id: gone.id }), undefined);
  assert.equal((await store.get({ id: kept.id }))?.status, "scheduled");
  assert.equal(capacity.usage().used, 1);
});

Deno.test("Clearing.delete() of an unknown id throws JobNotFoundError", async () => {
  const { clearing, seen } = setup();
  const error = await clearing.delete("nope").catch((e) => e);
  assert.ok(error instanceof JobNotFoundError);
  assert.equal(error.jobId, "nope");
  assert.deepEqual(seen, []);
});
