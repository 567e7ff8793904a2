/**
 * FinalWaiters: waits for jobs to become final, on one event listener attached only while
 * someone waits.
 */

import assert from "node:assert/strict";
import type { EventBatchListener } from "../../queue/cluster/event_fanout.ts";
import { JobEvents } from "../../queue/events.ts";
import type { Job } from "../../queue/job.ts";
import type { JobStatus } from "../../queue/lifecycle.ts";
import { FinalWaiters } from "../../queue/observe/final_waiters.ts";
import { waitFor, within } from "../support/wait.ts";
import { makeJob } from "../store/contract/harness.ts";

const LONG = 60_000;

/** A job in `status`, as a store would hold it. */
const job = (id: string, status: JobStatus): Job => makeJob(id, { status });

function setup(...jobs: Job[]) {
  const events = new JobEvents();
  const stored = new Map(jobs.map((j) => [j.id, j]));
  const waiters = new FinalWaiters(events, (id) => Promise.resolve(stored.get(id)));
  return { events, stored, waiters };
}

Deno.test("FinalWaiters.wait() resolves with the job of a final event", async () => {
  const { events, waiters } = setup(job("a", "in-progress"));
  const waiting = waiters.wait("a", { timeout: LONG });
  assert.equal(events.active, true);
  const done = job("a", "failed");
  events.emit({ type: "started", job: job("a", "in-progress") });
  events.emit({ type: "completed", job: job("b", "completed") });
  events.emit({ type: "failed", job: done });
  assert.equal(await within(waiting, "the final event"), done);
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.wait() resolves at once for a job already final, or unknown", async () => {
  const done = job("a", "cancelled");
  const { events, waiters } = setup(done);
  assert.equal(await within(waiters.wait("a", { timeout: LONG }), "a final job"), done);
  assert.equal(await within(waiters.wait("zz", { timeout: LONG }), "an unknown job"), undefined);
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.wait() resolves with the current unfinished state when the timeout passes", async () => {
  const { events, stored, waiters } = setup(job("a", "queued"));
  const waiting = waiters.wait("a", { timeout: 1 });
  stored.set("a", job("a", "in-progress")); // moved on, not final
  const current = await within(waiting, "the timeout");
  assert.equal(current?.status, "in-progress");
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.wait() ends when its signal aborts", async () => {
  const { events, waiters } = setup(job("a", "queued"));
  const controller = new AbortController();
  const waiting = waiters.wait("a", { timeout: LONG, signal: controller.signal });
  controller.abort();
  assert.equal((await within(waiting, "the abort"))?.status, "queued");
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.wait() ends at once for a signal already aborted", async () => {
  const { events, waiters } = setup(job("a", "queued"));
  const waiting = waiters.wait("a", { timeout: LONG, signal: AbortSignal.abort() });
  assert.equal((await within(waiting, "the abort", 5_000))?.status, "queued");
  assert.equal(waiters.size, 0);
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.size counts the waits in progress, over every job", async () => {
  const { events, waiters } = setup(job("a", "queued"), job("b", "queued"));
  assert.equal(waiters.size, 0);
  const controller = new AbortController();
  const waits = [
    waiters.wait("a", { timeout: LONG, signal: controller.signal }),
    waiters.wait("a", { timeout: LONG, signal: controller.signal }),
    waiters.wait("b", { timeout: LONG, signal: controller.signal }),
  ];
  assert.equal(waiters.size, 3);
  events.emit({ type: "completed", job: job("b", "completed") });
  await within(waits[2], "b's wait");
  assert.equal(waiters.size, 2);
  controller.abort();
  await within(Promise.all(waits), "the aborted waits");
  assert.equal(waiters.size, 0);
});

Deno.test("FinalWaiters.wait() wakes every waiter of the same job", async () => {
  const { events, waiters } = setup(job("a", "queued"));
  const first = waiters.wait("a", { timeout: LONG });
  const second = waiters.wait("a", { timeout: LONG });
  const done = job("a", "completed");
  events.emit({ type: "completed", job: done });
  assert.deepEqual(await within(Promise.all([first, second]), "both waiters"), [done, done]);
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.wait() keeps the listener until the last wait ends", async () => {
  const { events, waiters } = setup(job("a", "queued"), job("b", "queued"));
  const controller = new AbortController();
  const a = waiters.wait("a", { timeout: LONG });
  const b = waiters.wait("b", { timeout: LONG, signal: controller.signal });
  controller.abort();
  await within(b, "b's abort");
  assert.equal(events.active, true, "a still waits");
  events.emit({ type: "completed", job: job("a", "completed") });
  assert.equal((await within(a, "a's event"))?.status, "completed");
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.close() ends every wait with the current state", async () => {
  const { events, stored, waiters } = setup(job("a", "queued"), job("b", "scheduled"));
  const a = waiters.wait("a", { timeout: LONG });
  const b1 = waiters.wait("b", { timeout: LONG });
  const b2 = waiters.wait("b", { timeout: LONG });
  stored.set("a", job("a", "in-progress"));
  waiters.close();
  const states = await within(Promise.all([a, b1, b2]), "close");
  assert.deepEqual(states.map((j) => j?.status), ["in-progress", "scheduled", "scheduled"]);
  assert.equal(events.active, false);
});

Deno.test("FinalWaiters.wait() wakes when another node ends the job, and reads it from the store", async () => {
  const events = new JobEvents();
  const stored = new Map([["r", job("r", "in-progress")]]);
  const listeners = new Set<EventBatchListener>();
  const waiters = new FinalWaiters(
    events,
    (id) => Promise.resolve(stored.get(id)),
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  );
  const waiting = waiters.wait("r", { timeout: LONG });
  await waitFor(() => listeners.size === 1, { message: "the remote listener" });
  stored.set("r", job("r", "completed"));
  const at = new Date().toISOString();
  for (const listener of listeners) {
    listener({
      node: "other",
      events: [{ event: "completed", id: "r", type: "t", status: "completed", at }],
      unlisted: {},
      finished: { completed: 1, failed: 0 },
    });
  }
  assert.equal((await within(waiting, "the wait to end"))?.status, "completed");
  assert.equal(listeners.size, 0, "detached once nobody waits");
});
