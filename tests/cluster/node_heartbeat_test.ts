/** NodeHeartbeat: registered with its load, beaten, registered again once its row is gone. */

import assert from "node:assert/strict";
import { NodeHeartbeat } from "../../queue/cluster/node_heartbeat.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { captureLog } from "../support/log_capture.ts";
import { manualClock } from "./shared_store.ts";

const node = {
  id: "host:1:abc",
  name: "web-1",
  host: "host",
  version: "0.1.0",
  startedAt: 1_700_000_000_000,
  types: ["email", "resize"],
};

function setup() {
  const store = new MemoryStore();
  const clock = manualClock();
  const load = { workers: 4, busy: 1 };
  const log = captureLog("warn");
  const heartbeat = new NodeHeartbeat({
    store,
    node,
    load: () => load,
    now: clock.now,
    logger: log.logger,
  });
  return { store, clock, load, log, heartbeat };
}

Deno.test("NodeHeartbeat.register() writes the node with its load, the first beat now", async () => {
  const { store, clock, heartbeat } = setup();
  await heartbeat.register();
  assert.deepEqual(await store.listNodes(), [
    { ...node, heartbeatAt: clock.now(), workers: 4, busy: 1 },
  ]);
});

Deno.test("NodeHeartbeat.beat() writes the time and the load of now", async () => {
  const { store, clock, load, heartbeat } = setup();
  await heartbeat.register();
  clock.advance(1000);
  load.busy = 3;
  assert.equal(await heartbeat.beat(), true);
  const [row] = await store.listNodes();
  assert.equal(row.heartbeatAt, clock.now());
  assert.equal(row.busy, 3);
  assert.equal(heartbeat.reRegistrations, 0);
});

Deno.test("NodeHeartbeat.beat() of a node whose row is gone registers it again and says so", async () => {
  const { store, clock, log, heartbeat } = setup();
  await heartbeat.register();
  await store.removeNode({ id: node.id }); // The leader presumed it dead.
  clock.advance(1000);
  assert.equal(await heartbeat.beat(), false);
  assert.equal(heartbeat.reRegistrations, 1);
  const [row] = await store.listNodes();
  assert.equal(row.id, node.id);
  assert.equal(row.heartbeatAt, clock.now());
  assert.equal(row.startedAt, node.startedAt, "the same node, started when it was");
  assert.equal(log.matching(/registering again/).length, 1);
  assert.equal(await heartbeat.beat(), true);
});

Deno.test("NodeHeartbeat.deregister() removes the row", async () => {
  const { store, heartbeat } = setup();
  await heartbeat.register();
  await heartbeat.deregister();
  assert.deepEqual(await store.listNodes(), []);
});
