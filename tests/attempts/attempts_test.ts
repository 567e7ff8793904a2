/**
 * Attempts over a real MemoryStore: leases, outcomes and room, requeue, progress and logs.
 */

import assert from "node:assert/strict";
import { Attempts } from "../../queue/attempts/attempts.ts";
import { LiveAttempts } from "../../queue/attempts/live_attempts.ts";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { type JobEvent, JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { JobOptions } from "../../queue/job.ts";
import { QueueStatistics } from "../../queue/observe/queue_stats.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { StoreUnavailableError } from "../../queue/store/errors.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;
const LEASE = 1_000;

function setup() {
  const clock = { now: T };
  const now = () => clock.now;
  const wakes: number[] = [];
  const state = { closed: false, ready: 0 };
  const deps = {
    store: new MemoryStore(),
    events: new JobEvents(),
    live: new LiveAttempts(now),
    capacity: new Capacity({ limit: 10 }),
    statistics: new QueueStatistics(now),
    owner: "me",
    leaseMs: LEASE,
    now,
    random: () => 1,
    closed: () => state.closed,
    wakeAt: (at: number) => void wakes.push(at),
    notifyReady: () => void state.ready++,
  };
  const seen: JobEvent[] = [];
  const listen = () => deps.events.on((event) => seen.push(event));
  /** Stores `count` queued noop jobs, with their room taken. */
  const add = async (count: number, options?: JobOptions) => {
    await deps.capacity.reserve(count);
    const item = { type: "noop", payload: {}, options };
    const jobs = Array.from({ length: count }, () => buildJob(registry, item, "", now()));
    return await deps.store.insert({ jobs });
  };
  return { ...deps, clock, wakes, state, seen, listen, add, attempts: new Attempts(deps) };
}

Deno.test("Attempts.claim() records the lease owner and expiry and the new attempt", async () => {
  const { clock, store, attempts, add, listen, seen } = setup();
  listen();
  await add(2);
  clock.now += 50;
  const claimed = await attempts.claim(5, "w1");
  assert.equal(claimed.length, 2);
  for (const job of claimed) {
    assert.equal(job.status, "in-progress");
    assert.equal(job.leaseOwner, "me");
    assert.equal(job.leaseExpiresAt, clock.now + LEASE);
    assert.deepEqual(job.attempts, [{ number: 1, startedAt: clock.now, workerId: "w1" }]);
    assert.deepEqual(await store.get({ id: job.id }), job);
  }
  assert.deepEqual(seen.map((e) => e.type), ["started", "started"]);
});

Deno.test("Attempts.claim() hands out nothing once the queue is closed", async () => {
  const { store, attempts, add, state } = setup();
  const [job] = await add(1);
  state.closed = true;
  assert.deepEqual(await attempts.claim(1, "w1"), []);
  assert.equal((await store.get({ id: job.id }))?.status, "queued");
});

Deno.test("Attempts.renewLeases() extends only this process's leases", async () => {
  const { clock, store, attempts, add } = setup();
  await add(2);
  const [mine] = await attempts.claim(1, "w1");
  const [theirs] = await store.claim({
    limit: 1,
    workerId: "w9",
    now: clock.now,
    leaseOwner: "other",
    leaseUntil: clock.now + LEASE,
  });
  assert.deepEqual(await attempts.renewLeases([]), []);
  clock.now += 400;
  assert.deepEqual(await attempts.renewLeases([mine, theirs]), [mine.id]);
  assert.equal((await store.get({ id: mine.id }))?.leaseExpiresAt, clock.now + LEASE);
  assert.equal((await store.get({ id: theirs.id }))?.leaseExpiresAt, theirs.leaseExpiresAt);
});

Deno.test("Attempts.finish() completes a job and gives back its room", async () => {
  const { store, capacity, statistics, attempts, add, listen, seen } = setup();
  await add(3);
  const [job] = await attempts.claim(1, "w1");
  listen();
  await attempts.finish([{ job, outcome: "completed", result: { ok: true } }]);
  const done = (await store.get({ id: job.id }))!;
  assert.equal(done.status, "completed");
  assert.deepEqual(done.result, { ok: true });
  assert.equal(done.attempts[0].outcome, "completed");
  assert.equal(capacity.usage().used, 2);
  assert.equal(statistics.snapshot(await store.counts(), capacity.usage()).types.noop.samples, 1);
  assert.deepEqual(seen.map((e) => e.type), ["completed"]);
});

Deno.test("Attempts.finish() schedules a retry with wakeAt and keeps its room, then fails and releases", async () => {
  const { clock, store, capacity, attempts, wakes, add, listen, seen } = setup();
  const backoff = { base: 500, factor: 2, cap: 10_000 };
  await add(2, { maxAttempts: 2, backoff });
  const [job] = await attempts.claim(1, "w1");
  listen();
  await attempts.finish([{ job, outcome: "failed", error: "first" }]);
  const retrying = (await store.get({ id: job.id }))!;
  assert.equal(retrying.status, "scheduled");
  assert.equal(retrying.runAt, clock.now + backoff.base, "random() = 1: the full first ceiling");
  assert.deepEqual(wakes, [retrying.runAt]);
  assert.equal(capacity.usage().used, 2);
  clock.now = retrying.runAt;
  await store.promote({ now: clock.now, limit: 10 });
  const [again] = (await attempts.claim(2, "w1")).filter((j) => j.id === job.id);
  await attempts.finish([{ job: again, outcome: "timeout", error: "second" }]);
  const failed = (await store.get({ id: job.id }))!;
  assert.equal(failed.status, "failed");
  assert.deepEqual(failed.attempts.map((a) => a.outcome), ["failed", "timeout"]);
  assert.equal(wakes.length, 1, "no wake-up for a final outcome");
  assert.equal(capacity.usage().used, 1);
  assert.deepEqual(seen.filter((e) => e.type !== "started").map((e) => e.type), [
    "retrying",
    "failed",
  ]);
});

Deno.test("Attempts.finish() ignores a report for a job no longer running", async () => {
  const { store, capacity, attempts, add } = setup();
  await add(2);
  const [job] = await attempts.claim(1, "w1");
  const cancelled = { ...job, status: "cancelled" as const, finishedAt: job.updatedAt };
  await store.update({ updates: [{ from: "in-progress", job: cancelled }] });
  capacity.release(1); // as the cancellation did
  await attempts.finish([{ job, outcome: "completed", result: 1 }]);
  assert.equal((await store.get({ id: job.id }))?.status, "cancelled");
  assert.equal(capacity.usage().used, 1);
});

Deno.test("Attempts.requeue() puts a job back without its open attempt, keeping live logs", async () => {
  const { clock, store, capacity, live, attempts, state, add, listen, seen } = setup();
  await add(1, { maxAttempts: 3, backoff: { base: 0, factor: 1, cap: 0 } });
  const [first] = await attempts.claim(1, "w1");
  await attempts.finish([{ job: first, outcome: "failed", error: "one" }]);
  const before = (await store.get({ id: first.id }))!;
  await store.promote({ now: clock.now, limit: 10 });
  const [running] = await attempts.claim(1, "w2");
  attempts.log(running.id, 2, "halfway");
  listen();
  const readyBefore = state.ready;
  await attempts.requeue([running]);
  const back = (await store.get({ id: running.id }))!;
  assert.equal(back.status, "queued");
  assert.deepEqual(back.attempts, before.attempts, "the open attempt dropped, the ended kept");
  assert.deepEqual(back.logs.map((l) => l.message), ["halfway"]);
  assert.equal(live.reportOf(running.id), undefined);
  assert.equal(state.ready, readyBefore + 1);
  assert.deepEqual(seen.map((e) => e.type), ["requeued"]);
  assert.equal(capacity.usage().used, 1);
  const [again] = await attempts.claim(1, "w3");
  assert.equal(again.attempts.at(-1)?.number, running.attempts.length, "the attempt not lost");
});

Deno.test("Attempts.requeue() tried again after the store was unavailable keeps the live logs", async () => {
  // The outcome recorder calls requeue() again when the database could not take it: the second
  // call must still see what the attempt logged.
  const { store, live, attempts, add } = setup();
  await add(1);
  const [running] = await attempts.claim(1, "w1");
  attempts.log(running.id, 1, "halfway");
  const update = store.update.bind(store);
  let refusals = 1;
  store.update = (params) => {
    if (refusals-- > 0) return Promise.reject(new StoreUnavailableError(new Error("restarting")));
    return update(params);
  };
  await assert.rejects(attempts.requeue([running]), StoreUnavailableError);
  await attempts.requeue([running]);
  const back = (await store.get({ id: running.id }))!;
  assert.equal(back.status, "queued");
  assert.deepEqual(back.logs.map((l) => l.message), ["halfway"]);
  assert.equal(live.reportOf(running.id), undefined);
});

Deno.test("Attempts.finish() refusing a stale outcome keeps what the job's new attempt logged", async () => {
  // An outcome tried again after an outage can arrive once the job was rescued and claimed
  // again here: refused, it must not drop the live report of the attempt running now.
  const { clock, store, live, attempts, add } = setup();
  await add(1, { maxAttempts: 3 });
  const [first] = await attempts.claim(1, "w1");
  clock.now += LEASE + 1;
  assert.equal(
    await attempts.finish([{ job: first, outcome: "interrupted", error: "lease expired" }], {
      expiredBefore: clock.now,
    }),
    1,
  );
  await store.promote({ now: clock.now + 60_000, limit: 10 });
  clock.now += 60_000;
  const [second] = await attempts.claim(1, "w2");
  assert.notEqual(second.leaseToken, first.leaseToken);
  attempts.log(second.id, 2, "second attempt", second.leaseToken);
  assert.equal(await attempts.finish([{ job: first, outcome: "completed", result: 1 }]), 0);
  assert.deepEqual(live.reportOf(second.id)?.logs.map((l) => l.message), ["second attempt"]);
  await attempts.finish([{ job: second, outcome: "completed", result: 2 }]);
  const done = (await store.get({ id: second.id }))!;
  assert.deepEqual(done.logs.map((l) => l.message), ["second attempt"]);
});

Deno.test("Attempts.progress() and log() record live, and emit only while someone listens", async () => {
  const { events, live, attempts, add } = setup();
  const [job] = await add(1);
  const emitted: JobEvent[] = [];
  const emit = events.emit.bind(events);
  events.emit = (event) => (emitted.push(event), emit(event));
  attempts.progress(job.id, 30);
  attempts.log(job.id, 1, "quiet");
  assert.deepEqual(emitted, []);
  assert.equal(live.reportOf(job.id)?.progress, 30);
  const off = events.on(() => {});
  attempts.progress(job.id, 130);
  attempts.log(job.id, 1, "heard");
  off();
  assert.deepEqual(emitted, [
    { type: "progress", jobId: job.id, progress: 100 },
    { type: "log", jobId: job.id, message: "heard" },
  ]);
  assert.deepEqual(live.reportOf(job.id)?.logs.map((l) => l.message), ["quiet", "heard"]);
});
