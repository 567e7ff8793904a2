/**
 * Dead-node rescue through a real queue: a node past the timeout has its running jobs ended
 * `interrupted` at once, whatever their leases, and its row removed; a node that beat in time
 * is left alone; the dead node's late results are refused by the fencing.
 */

import assert from "node:assert/strict";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { NODE_LOST } from "../../queue/maintenance/rescuer.ts";
import { Queue } from "../../queue/queue.ts";
import type { NodeRecord } from "../../queue/store/node_store.ts";
import { captureLog } from "../support/log_capture.ts";
import { manualClock, sharedStore } from "./shared_store.ts";

const registry = await HandlerRegistry.load([]);

function nodeRow(id: string, heartbeatAt: number): NodeRecord {
  return {
    id,
    name: id,
    host: "h",
    version: "0.1.0",
    startedAt: 0,
    heartbeatAt,
    workers: 2,
    busy: 2,
    types: ["noop"],
  };
}

function setup() {
  const store = sharedStore();
  const clock = manualClock();
  const log = captureLog("warn");
  const queue = new Queue({
    store,
    registry,
    events: new JobEvents(),
    now: clock.now,
    logger: log.logger,
    leaseMs: 60_000,
    node: { timeoutMs: 10_000 },
  });
  /** `count` jobs claimed by the node `owner`, under a lease far from running out. */
  const runningOn = async (owner: string, count: number) => {
    const jobs = Array.from(
      { length: count },
      () => buildJob(registry, { type: "noop", payload: {} }, "", clock.now()),
    );
    await store.insert({ jobs });
    return await store.claim({
      limit: count,
      workerId: `${owner}-w1`,
      now: clock.now(),
      leaseOwner: owner,
      leaseUntil: clock.now() + 3_600_000,
    });
  };
  return { store, clock, log, queue, runningOn };
}

Deno.test("DeadNodes.runOnce() rescues a dead node's jobs at once and removes it; a live node is left alone", async () => {
  const { store, clock, log, queue, runningOn } = setup();
  const dead = await runningOn("dead", 3);
  const alive = await runningOn("alive", 2);
  await store.registerNode(nodeRow("dead", clock.now()));
  await store.registerNode(nodeRow("alive", clock.now()));
  clock.advance(10_001);
  await store.heartbeat({ id: "alive", at: clock.now() - 9_000, workers: 2, busy: 2 });
  const pass = await queue.cluster.deadNodes.runOnce();
  assert.deepEqual(pass, { removed: ["dead"], rescued: 3 });
  for (const job of dead) {
    const stored = (await store.get({ id: job.id }))!;
    assert.equal(stored.status, "scheduled", "retried after backoff: an attempt counted");
    assert.equal(stored.attempts.at(-1)?.outcome, "interrupted");
    assert.equal(stored.attempts.at(-1)?.error, NODE_LOST);
  }
  for (const job of alive) assert.equal((await store.get({ id: job.id }))?.status, "in-progress");
  assert.deepEqual((await store.listNodes()).map((n) => n.id), ["alive"]);
  assert.equal(log.matching(/Node dead stopped heartbeating 10001 ms ago/).length, 1);
  assert.equal((await queue.cluster.deadNodes.runOnce()).rescued, 0, "nothing twice");
});

Deno.test("DeadNodes: a node presumed dead cannot write over its rescued attempts", async () => {
  const { store, clock, queue, runningOn } = setup();
  const [job] = await runningOn("slow", 1);
  await store.registerNode(nodeRow("slow", clock.now()));
  clock.advance(10_001);
  await queue.cluster.deadNodes.runOnce();
  const rescued = (await store.get({ id: job.id }))!;
  // The stalled node wakes up and reports its attempt, with the lease token it was given.
  assert.equal(await queue.finish([{ job, outcome: "completed", result: "late" }]), 0);
  assert.deepEqual(await store.get({ id: job.id }), rescued, "the rescued attempt stands");
  assert.equal((await queue.stats()).staleOutcomes, 1);
  assert.deepEqual(
    await store.renewLeases({
      owner: "slow",
      until: clock.now() + 60_000,
      leases: [{ id: job.id, leaseToken: job.leaseToken! }],
    }),
    [],
    "its renewal is refused: its pool stops the attempt",
  );
});

Deno.test("DeadNodes: a node that beats between the look and the removal keeps its row", async () => {
  const { store, clock, queue } = setup();
  await store.registerNode(nodeRow("late", clock.now()));
  clock.advance(10_001);
  const list = store.listNodes.bind(store);
  store.listNodes = async () => {
    const nodes = await list();
    await store.heartbeat({ id: "late", at: clock.now(), workers: 2, busy: 0 });
    return nodes;
  };
  assert.deepEqual((await queue.cluster.deadNodes.runOnce()).removed, []);
  assert.deepEqual((await list()).map((n) => n.id), ["late"]);
});
