/**
 * ClaimedAhead's bookkeeping: which worker holds each job, through adds, hand-overs, drops, a
 * worker's end and a pause, so that a job is dropped from the worker that holds it and from no
 * other, and one handed over or given back is no longer held anywhere.
 */

import assert from "node:assert/strict";
import type { Job } from "../../queue/job.ts";
import { ClaimedAhead } from "../../queue/pool/claimed_ahead.ts";
import type { WorkerHandle } from "../../queue/pool/worker_handle.ts";

/** Only identity matters to ClaimedAhead's bookkeeping. */
const worker = (id: string) => ({ id }) as unknown as WorkerHandle;
const job = (id: string) => ({ id }) as Job;
const ids = (jobs: Job[]) => jobs.map((j) => j.id);

Deno.test("ClaimedAhead drops a job from the worker holding it, once", () => {
  const ahead = new ClaimedAhead(8);
  const [a, b] = [worker("a"), worker("b")];
  ahead.add(a, [job("1"), job("2"), job("3")]);
  ahead.add(b, [job("4")]);
  assert.equal(ahead.drop("2"), true);
  assert.equal(ahead.drop("2"), false);
  assert.equal(ahead.drop("unknown"), false);
  assert.deepEqual(ids(ahead.take(a, 8)), ["1", "3"]);
  assert.deepEqual(ids(ahead.take(b, 8)), ["4"]);
  assert.equal(ahead.size, 0);
});

Deno.test("ClaimedAhead moves a job claimed again for another worker", () => {
  const ahead = new ClaimedAhead(8);
  const [a, b] = [worker("a"), worker("b")];
  ahead.add(a, [job("1"), job("2")]);
  ahead.add(b, [job("2")]); // Put back and claimed again: the older claim is over.
  assert.deepEqual(ids(ahead.jobs()), ["1", "2"]);
  assert.equal(ahead.count(a), 1);
  assert.equal(ahead.drop("2"), true);
  assert.equal(ahead.count(b), 0);
  assert.deepEqual(ids(ahead.take(a, 8)), ["1"]);
});

Deno.test("ClaimedAhead holds nothing it handed over, gave back or cleared", () => {
  const ahead = new ClaimedAhead(8);
  const [a, b] = [worker("a"), worker("b")];
  ahead.add(a, [job("1"), job("2"), job("3")]);
  ahead.add(b, [job("4"), job("5")]);
  assert.deepEqual(ids(ahead.take(a, 2)), ["1", "2"]);
  assert.equal(ahead.drop("1"), false, "handed over: running, not held");
  assert.deepEqual(ids(ahead.takeAll(b)), ["4", "5"]);
  assert.equal(ahead.drop("4"), false, "its worker ended: given back");
  assert.deepEqual(ids(ahead.clear()), ["3"]);
  assert.equal(ahead.drop("3"), false, "paused: given back");
  // The same jobs claimed again later are held again, by their new worker.
  ahead.add(b, [job("1"), job("3")]);
  assert.equal(ahead.drop("3"), true);
  assert.deepEqual(ids(ahead.take(b, 8)), ["1"]);
  assert.equal(ahead.size, 0);
});

/** A worker as `takeFor` sees it: its id and how many jobs it runs. */
const busy = (id: string, running: number) =>
  ({ id, running: { size: running } }) as unknown as WorkerHandle;
const onAttempt = (id: string, workerId: string) =>
  ({ id, attempts: [{ number: 1, startedAt: 1, workerId }] }) as unknown as Job;

Deno.test("ClaimedAhead hands a free worker with nothing of its own the jobs of a busy sibling", () => {
  const ahead = new ClaimedAhead(8);
  const [slow, other, idle] = [busy("slow", 1), busy("other", 1), busy("idle", 0)];
  const siblings = [slow, other, idle];
  ahead.add(slow, ["1", "2", "3"].map((id) => onAttempt(id, "slow")));
  ahead.add(other, [onAttempt("4", "other")]);
  const moved = ahead.takeFor(idle, 2, siblings, 1);
  // From the busy sibling holding most, oldest first, its attempt now on the worker that runs it.
  assert.deepEqual(ids(moved), ["1", "2"]);
  assert.deepEqual(moved.map((job) => job.attempts[0].workerId), ["idle", "idle"]);
  assert.equal(ahead.count(slow), 1);
  assert.equal(ahead.drop("1"), false, "no longer held");
  // A worker that has jobs of its own, or no free place, takes only its own.
  ahead.add(idle, [onAttempt("5", "idle")]);
  assert.deepEqual(ids(ahead.takeFor(idle, 3, siblings, 1)), ["5"]);
  assert.deepEqual(ids(ahead.takeFor(busy("full", 1), 3, siblings, 1)), []);
  // Nothing is taken from a sibling with a free place: it runs its own.
  const free = busy("free", 0);
  ahead.add(free, [onAttempt("6", "free")]);
  assert.deepEqual(ids(ahead.takeFor(busy("x", 0), 3, [free], 1)), []);
  assert.equal(ahead.count(free), 1);
});
