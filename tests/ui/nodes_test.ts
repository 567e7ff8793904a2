/** How the Nodes view orders the nodes and words their heartbeats and workers. */

import assert from "node:assert/strict";
import type { NodeView } from "../../api/routes/nodes.ts";
import { busyText, heartbeatText, orderNodes } from "../../ui/app/nodes.ts";

const NODE: NodeView = {
  id: "h:1:a",
  name: "h:1",
  host: "h",
  version: "0.1.0",
  startedAt: "2026-11-29T20:00:00.000Z",
  heartbeatAgeMs: 100,
  workers: 2,
  busy: 1,
  types: ["noop"],
  leader: false,
};

Deno.test("orderNodes() puts the leader first, then sorts by name, and leaves its input alone", () => {
  const nodes = [
    { ...NODE, id: "c", name: "c" },
    { ...NODE, id: "b", name: "b", leader: true },
    { ...NODE, id: "a", name: "a" },
  ];
  assert.deepEqual(orderNodes(nodes).map((n) => n.id), ["b", "a", "c"]);
  assert.deepEqual(nodes.map((n) => n.id), ["c", "b", "a"]);
  assert.deepEqual(orderNodes([]), []);
});

Deno.test("heartbeatText() shows tenths under 10 s, seconds under 2 min, then minutes", () => {
  assert.equal(heartbeatText(0), "0.0 s ago");
  assert.equal(heartbeatText(9_940), "9.9 s ago");
  assert.equal(heartbeatText(10_000), "10 s ago");
  assert.equal(heartbeatText(119_000), "119 s ago");
  assert.equal(heartbeatText(150_000), "3 min ago");
});

Deno.test("busyText() says how many started workers are busy, or that none started", () => {
  assert.equal(busyText({ busy: 0, workers: 3 }), "0 of 3 busy");
  assert.equal(busyText({ busy: 3, workers: 3 }), "3 of 3 busy");
  assert.equal(busyText({ busy: 0, workers: 0 }), "no worker started");
});
