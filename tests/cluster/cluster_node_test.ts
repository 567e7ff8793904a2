/**
 * ClusterNode with its own timer (beats of 20 ms, a node timeout of 200 ms): the services run
 * on one node at a time, a stopping leader hands over within a beat, a dead leader is replaced
 * once its lease runs out, and alone on a store a node leads however the last process ended. A
 * node stands (may start jobs) while its heartbeat is younger than the node timeout.
 */

import assert from "node:assert/strict";
import { ClusterNode } from "../../queue/cluster/cluster_node.ts";
import type { MaintenanceService } from "../../queue/maintenance/service.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { captureLog } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";
import { manualClock, sharedStore } from "./shared_store.ts";

/** A node named `id` on `store`, with one service that says whether it runs. */
function nodeOn(store: Store, id: string) {
  const state = { running: false };
  const service: MaintenanceService = {
    name: `${id}-service`,
    start: () => void (state.running = true),
    stop: () => Promise.resolve(void (state.running = false)),
    runOnce: () => Promise.resolve(0),
  };
  const node = new ClusterNode({
    store,
    node: { id, name: id, host: "h", version: "0", startedAt: Date.now(), types: ["noop"] },
    rescuer: { rescueHeldBy: () => Promise.resolve(0) },
    heartbeatMs: 20,
    nodeTimeoutMs: 200,
    load: () => ({ workers: 2, busy: 1 }),
    now: Date.now,
    logger: captureLog("error").logger,
  });
  node.join(service);
  return { node, state };
}

Deno.test("ClusterNode: one leader runs the services; a stopping leader hands over within beats", async () => {
  const store = sharedStore();
  const a = nodeOn(store, "a");
  const b = nodeOn(store, "b");
  await a.node.start();
  await b.node.start();
  try {
    assert.equal(a.node.leading, true);
    assert.equal(a.state.running, true);
    assert.equal(b.node.leading, false);
    assert.equal(b.state.running, false, "not on a node that does not lead");
    assert.deepEqual((await store.listNodes()).map((n) => [n.id, n.workers, n.busy]), [
      ["a", 2, 1],
      ["b", 2, 1],
    ]);
    const changes: boolean[] = [];
    b.node.onLeadershipChange((leading) => changes.push(leading));
    await a.node.stop();
    assert.equal(a.state.running, false);
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["b"], "deregistered");
    await waitFor(() => b.node.leading, { timeout: 2_000, message: "b to lead" });
    assert.equal(b.state.running, true);
    assert.deepEqual(changes, [true]);
  } finally {
    await a.node.stop();
    await b.node.stop();
  }
});

Deno.test("ClusterNode: a leader that dies is replaced once its lease runs out, and removed", async () => {
  const store = sharedStore();
  const now = Date.now();
  // A leader that died a moment ago: its row and its lease are left behind.
  await store.registerNode({
    id: "dead",
    name: "dead",
    host: "h",
    version: "0",
    startedAt: now,
    heartbeatAt: now,
    workers: 1,
    busy: 1,
    types: [],
  });
  assert.equal(await store.tryLead({ node: "dead", now, until: now + 200 }), true);
  const b = nodeOn(store, "b");
  await b.node.start();
  try {
    assert.equal(b.node.leading, false, "the lease still holds");
    await waitFor(() => b.node.leading, { timeout: 2_000, message: "b to lead" });
    assert.ok(Date.now() - now >= 200, "not before the lease ran out");
    await waitFor(async () => (await store.listNodes()).length === 1, {
      timeout: 2_000,
      message: "the dead node's row removed",
    });
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["b"]);
  } finally {
    await b.node.stop();
  }
});

Deno.test("ClusterNode.start() alone on a store forgets a dead process's row and lease, and leads", async () => {
  const store = new MemoryStore();
  const now = Date.now();
  await store.registerNode({
    id: "old",
    name: "old",
    host: "h",
    version: "0",
    startedAt: now,
    heartbeatAt: now,
    workers: 1,
    busy: 0,
    types: [],
  });
  await store.tryLead({ node: "old", now, until: now + 3_600_000 });
  const a = nodeOn(store, "a");
  await a.node.start();
  try {
    assert.equal(a.node.leading, true);
    assert.equal(a.state.running, true);
    assert.deepEqual((await store.listNodes()).map((n) => n.id), ["a"]);
  } finally {
    await a.node.stop();
  }
  assert.equal(await store.leader({ now: Date.now() }), undefined, "resigned at stop");
});

Deno.test("ClusterNode: standing while its last heartbeat is younger than the node timeout; each beat told", async () => {
  const store = sharedStore();
  const clock = manualClock();
  const node = new ClusterNode({
    store,
    node: { id: "a", name: "a", host: "h", version: "0", startedAt: clock.now(), types: [] },
    rescuer: { rescueHeldBy: () => Promise.resolve(0) },
    heartbeatMs: 20,
    nodeTimeoutMs: 200,
    now: clock.now,
    logger: captureLog("warn").logger,
  });
  const beats: boolean[] = [];
  node.onBeat((rejoined) => beats.push(rejoined));
  assert.equal(node.standing, false, "not before it registers");
  await node.start();
  try {
    assert.equal(node.standing, true);
    // Its clock runs on past the timeout, less half a beat, with no beat written since.
    clock.advance(190);
    assert.equal(node.standing, false, "others may presume it dead");
    await waitFor(() => beats.length > 0, { timeout: 2_000, message: "a beat" });
    assert.equal(beats[0], false);
    assert.equal(node.standing, true, "a beat written: standing again");
    await store.removeNode({ id: "a" }); // presumed dead by a leader
    await waitFor(() => beats.includes(true), { timeout: 2_000, message: "a beat that rejoins" });
    assert.equal(node.standing, true);
  } finally {
    await node.stop();
  }
});
