/**
 * Rescuer: attempts whose lease ran out (or, at start-up, every running one) ended
 * interrupted through the finish it was given.
 */

import assert from "node:assert/strict";
import { type AttemptReport, settleAttempt } from "../../queue/attempts/settle.ts";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { Job } from "../../queue/job.ts";
import { INTERRUPTED, Rescuer } from "../../queue/maintenance/rescuer.ts";
import { Queue } from "../../queue/queue.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { recordStore } from "../support/recording_store.ts";
import { afterQueuedCallbacks, within } from "../support/wait.ts";

const registry = await HandlerRegistry.load([]);
const T = 1_700_000_000_000;

function queueOn(store: Store, options: { now?: () => number; leaseMs?: number } = {}) {
  return new Queue({ store, registry, events: new JobEvents(), random: () => 1, ...options });
}

/**
 * A rescuer whose finish records each call and settles the reports in the store; `wrap` puts
 * something between the rescuer and the store.
 */
function setup(leaseMs = 1_000, wrap: (store: Store) => Store = (store) => store) {
  const store = new MemoryStore();
  const calls: AttemptReport[][] = [];
  let finished = Promise.withResolvers<void>();
  const rescuer = new Rescuer({
    store: wrap(store),
    leaseMs,
    now: () => T,
    finish: async (reports) => {
      calls.push(reports);
      const updates = reports.map((r) => ({
        from: "in-progress" as const,
        job: settleAttempt(r, T),
      }));
      const applied = await store.update({ updates });
      finished.resolve();
      return applied.length;
    },
  });
  /** Stores `count` jobs, claimed under a lease that runs out at `leaseUntil`. */
  const running = async (count: number, leaseUntil: number): Promise<Job[]> => {
    const jobs = Array.from({ length: count }, () => buildJob(registry, noop, "", T - 5000));
    await store.insert({ jobs });
    return await store.claim({
      limit: count,
      workerId: "w1",
      now: T - 5000,
      leaseOwner: "x",
      leaseUntil,
    });
  };
  const nextFinish = () => (finished = Promise.withResolvers<void>()).promise;
  return { store, rescuer, calls, running, nextFinish };
}

const noop = { type: "noop", payload: {} };

Deno.test("Rescuer.runOnce() takes only expired leases; renewLeases() keeps running jobs", async () => {
  let now = 1_000_000;
  const store = new MemoryStore();
  const queue = queueOn(store, { now: () => now, leaseMs: 1000 });
  try {
    await queue.open();
    await queue.enqueue([{ type: "noop", payload: {} }, { type: "noop", payload: {} }]);
    const [mine] = await queue.claim(1, "w1");
    // The other one is held by a process that stops renewing.
    const [theirs] = await store.claim({
      limit: 1,
      workerId: "w9",
      now,
      leaseOwner: "dead-process",
      leaseUntil: now + 1000,
    });
    now += 800;
    assert.deepEqual(await queue.renewLeases([mine, theirs]), [mine.id], "only this process's");
    now += 800; // theirs expired 600 ms ago; mine was renewed until now + 200
    assert.equal(await queue.maintenance.rescuer.runOnce(), 1);
    const rescued = (await queue.get(theirs.id)) as Job;
    assert.equal(rescued.attempts[0].outcome, "interrupted");
    assert.equal(rescued.status, "scheduled");
    assert.equal((await queue.get(mine.id))?.status, "in-progress");
  } finally {
    await queue.close();
  }
});

Deno.test("Rescuer.runOnce() ends each expired attempt interrupted with INTERRUPTED via finish", async () => {
  const { store, rescuer, calls, running } = setup();
  const expired = await running(2, T - 1);
  const [alive] = await running(1, T + 1);
  assert.equal(await rescuer.runOnce(), expired.length);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].map((r) => r.job.id).sort(), expired.map((j) => j.id).sort());
  for (const report of calls[0]) {
    assert.deepEqual({ ...report, job: undefined }, {
      job: undefined,
      outcome: "interrupted",
      error: INTERRUPTED,
    });
    assert.equal(report.job.status, "in-progress");
  }
  assert.equal((await store.get({ id: alive.id }))?.status, "in-progress");
  assert.equal((await store.get({ id: expired[0].id }))?.attempts[0].outcome, "interrupted");
});

Deno.test("Rescuer.runOnce() with no lease expired calls no finish", async () => {
  const { rescuer, calls, running } = setup();
  await running(2, T + 10);
  assert.equal(await rescuer.runOnce(), 0);
  assert.deepEqual(calls, []);
});

Deno.test("Rescuer.runOnce() rescues past one batch", async () => {
  const { store, rescuer, calls, running } = setup();
  const expired = await running(1_005, T - 1);
  assert.equal(await rescuer.runOnce(), expired.length);
  assert.ok(calls.length > 1, `${calls.length} finish calls`);
  assert.equal(calls.flat().length, expired.length);
  assert.equal((await store.counts()).byStatus["in-progress"], 0);
});

Deno.test("Rescuer.rescueAll() takes every job in progress, whatever its lease", async () => {
  const { store, rescuer, calls, running } = setup();
  const jobs = [...await running(2, T - 1), ...await running(3, T + 3_600_000)];
  assert.equal(await rescuer.rescueAll(), jobs.length);
  assert.deepEqual(calls.flat().map((r) => r.job.id).sort(), jobs.map((j) => j.id).sort());
  for (const report of calls.flat()) {
    assert.deepEqual([report.outcome, "error" in report && report.error], [
      "interrupted",
      INTERRUPTED,
    ]);
  }
  assert.equal((await store.counts()).byStatus["in-progress"], 0);
});

Deno.test("Rescuer.start() rescues on its own until stopped", async () => {
  const { store, rescuer, running, nextFinish } = setup(20);
  const [job] = await running(1, T - 1);
  const finished = nextFinish();
  rescuer.start();
  try {
    await finished;
    assert.equal((await store.get({ id: job.id }))?.attempts[0].outcome, "interrupted");
  } finally {
    await rescuer.stop();
  }
});

Deno.test("Rescuer.stop() waits for a run in progress, which settles its batch and takes no other", async () => {
  let recorded: ReturnType<typeof recordStore> | undefined;
  const { store, rescuer, running, calls } = setup(
    2,
    (store) => (recorded = recordStore(store)).store,
  );
  const expired = await running(1_001, T - 1); // two batches' worth
  const held = recorded!.hold("expiredLeases");
  rescuer.start();
  await within(held.reached, "the rescuer's first batch");
  let stopped = false;
  const stopping = rescuer.stop().then(() => stopped = true);
  await afterQueuedCallbacks();
  assert.equal(stopped, false, "stop() resolved while a batch was still being read");
  held.release();
  await within(stopping, "stop()");
  assert.deepEqual(recorded!.calls, ["expiredLeases", "expiredLeases:end"]);
  assert.equal(calls.flat().length, 1_000, "the batch it held is settled");
  assert.equal((await store.counts()).byStatus["in-progress"], expired.length - 1_000);
});
