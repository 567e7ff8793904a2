/**
 * Cancellation: ending unfinished jobs `cancelled`, guarded by the status they were seen in.
 */

import assert from "node:assert/strict";
import { LiveAttempts } from "../../queue/attempts/live_attempts.ts";
import { Cancellation, cancelUpdate } from "../../queue/control/cancellation.ts";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { JobNotFoundError, JobStateError } from "../../queue/errors.ts";
import { type JobEvent, JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;

function setup() {
  const store = new MemoryStore();
  const events = new JobEvents();
  const live = new LiveAttempts(() => T);
  const capacity = new Capacity({ limit: 10 });
  const told: string[] = [];
  const seen: JobEvent[] = [];
  events.on((event) => seen.push(event));
  const cancellation = new Cancellation({
    store,
    events,
    live,
    capacity,
    now: () => T + 100,
    notifyCancelled: (id) => told.push(id),
  });
  const add = async (count: number) => {
    await capacity.reserve(count);
    const jobs = Array.from({ length: count }, () => buildJob(registry, noop, "", T));
    return await store.insert({ jobs });
  };
  const claim = (limit: number) =>
    store.claim({ limit, workerId: "w1", now: T, leaseOwner: "me", leaseUntil: T + 1000 });
  return { store, live, capacity, cancellation, told, seen, add, claim };
}

const noop = { type: "noop", payload: {} };

Deno.test("cancelUpdate() ends the running attempt cancelled, guarded by the seen status", async () => {
  const { add, claim } = setup();
  await add(1);
  const [running] = await claim(1);
  const { from, job } = cancelUpdate(running, "stop", T + 5);
  assert.equal(from, "in-progress");
  assert.equal(job.status, "cancelled");
  assert.equal(job.error, "stop");
  assert.equal(job.finishedAt, T + 5);
  assert.deepEqual(job.attempts, [
    { ...running.attempts[0], endedAt: T + 5, outcome: "cancelled", error: "stop" },
  ]);
  assert.equal(running.status, "in-progress", "the snapshot is not changed");
});

Deno.test("Cancellation.cancel() of a running job closes its attempt, releases room once, tells the pool", async () => {
  const { store, live, capacity, cancellation, told, seen, add, claim } = setup();
  await add(2);
  const [running] = await claim(1);
  live.log(running.id, 1, "before the cancel");
  const cancelled = await cancellation.cancel(running.id, "enough");
  assert.equal(cancelled.status, "cancelled");
  assert.equal(cancelled.attempts[0].outcome, "cancelled");
  assert.equal(cancelled.attempts[0].endedAt, T + 100);
  assert.deepEqual(cancelled.logs.map((l) => l.message), ["before the cancel"]);
  assert.deepEqual(await store.get({ id: running.id }), cancelled);
  assert.equal(capacity.usage().used, 1, "two held, one released");
  assert.deepEqual(told, [running.id]);
  assert.equal(live.reportOf(running.id), undefined);
  assert.deepEqual(seen.map((e) => e.type), ["cancelled"]);
});

Deno.test("Cancellation.cancel() of a queued job uses the default reason", async () => {
  const { cancellation, capacity, add } = setup();
  const [job] = await add(1);
  const cancelled = await cancellation.cancel(job.id);
  assert.equal(cancelled.status, "cancelled");
  assert.equal(cancelled.error, "Cancelled by request");
  assert.deepEqual(cancelled.attempts, []);
  assert.equal(capacity.usage().used, 0);
});

Deno.test("Cancellation.cancel() looks again when the job moves before the write", async () => {
  const { store, cancellation, told, add, claim } = setup();
  const [job] = await add(1);
  const update = store.update.bind(store);
  let moved = false;
  store.update = async (params) => {
    if (!moved) (moved = true, await claim(1)); // started between the read and the write
    return update(params);
  };
  const cancelled = await cancellation.cancel(job.id);
  assert.equal(cancelled.attempts[0].outcome, "cancelled", "the running attempt was closed");
  assert.deepEqual(told, [job.id]);
});

Deno.test("Cancellation.cancel() of a final job throws JobStateError and changes nothing", async () => {
  const { cancellation, capacity, told, add } = setup();
  const [job] = await add(2);
  await cancellation.cancel(job.id);
  await assert.rejects(() => cancellation.cancel(job.id), JobStateError);
  assert.equal(capacity.usage().used, 1);
  assert.deepEqual(told, [job.id]);
});

Deno.test("Cancellation.cancel() of an unknown id throws JobNotFoundError", async () => {
  const { cancellation } = setup();
  const error = await cancellation.cancel("nope").catch((e) => e);
  assert.ok(error instanceof JobNotFoundError);
  assert.equal(error.jobId, "nope");
});

Deno.test("Cancellation.cancelAll() falls back to one by one for a moved job and skips a finished one", async () => {
  const { store, capacity, cancellation, told, add, claim } = setup();
  const listed = (await add(4)).slice(0, 3); // listed while all were queued; one more holds room
  const [started, finished] = await claim(2);
  const completed = { ...finished, status: "completed" as const, finishedAt: T };
  await store.update({ updates: [{ from: "in-progress", job: completed }] });
  capacity.release(1); // as its finish did
  await cancellation.cancelAll(listed, "cleared");
  const after = await Promise.all(listed.map((job) => store.get({ id: job.id })));
  assert.deepEqual(after.map((job) => job?.status), ["cancelled", "completed", "cancelled"]);
  assert.equal(after[0]?.attempts[0].outcome, "cancelled");
  assert.equal(after[0]?.id, started.id);
  assert.deepEqual(told.toSorted(), [listed[0].id, listed[2].id].toSorted());
  assert.equal(capacity.usage().used, 1, "room of the two cancelled given back, once each");
});

Deno.test("Cancellation.cancelAll() cancels jobs as listed in one store update", async () => {
  const { store, cancellation, told, add } = setup();
  const listed = await add(3);
  const update = store.update.bind(store);
  const calls: number[] = [];
  store.update = (params) => (calls.push(params.updates.length), update(params));
  await cancellation.cancelAll(listed, "cleared");
  assert.deepEqual(calls, [listed.length]);
  assert.deepEqual(told, listed.map((job) => job.id));
});

Deno.test("Cancellation.cancelAll() skips a job deleted since it was listed", async () => {
  const { store, capacity, cancellation, told, add } = setup();
  const listed = await add(2);
  const { unfinished } = await store.delete({ ids: [listed[0].id] });
  capacity.release(unfinished); // as the delete did
  await cancellation.cancelAll(listed, "cleared");
  assert.equal(await store.get({ id: listed[0].id }), undefined);
  assert.equal((await store.get({ id: listed[1].id }))?.status, "cancelled");
  assert.deepEqual(told, [listed[1].id]);
  assert.equal(capacity.usage().used, 0);
});
