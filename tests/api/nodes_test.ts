/** `GET /api/nodes`: the node this server is, with its load and leadership; others registered. */

import assert from "node:assert/strict";
import type { NodeView } from "../../api/routes/nodes.ts";
import { VERSION } from "../../queue/version.ts";
import { withServer } from "../support/api_server.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("GET /api/nodes lists this node as leader, with its workers, types and heartbeat age", async () => {
  await withServer(
    { nodeName: "web-1", heartbeat: 100, nodeTimeout: 1_000 },
    async (api, server) => {
      await api.enqueue("t-waits", null);
      // Its load arrives with a beat once the job runs.
      const [node] = await waitFor(async () => {
        const { status, body } = await api.get<NodeView[]>("/api/nodes");
        assert.equal(status, 200);
        return body[0]?.busy === 1 ? body : undefined;
      }, { message: "a beat with the busy worker" });
      assert.equal(node.id, server.queue.owner);
      assert.equal(node.name, "web-1");
      assert.equal(node.version, VERSION);
      assert.equal(node.leader, true);
      assert.equal(node.workers, 1);
      assert.deepEqual(node.types, server.queue.registry.types());
      assert.ok(node.heartbeatAgeMs >= 0 && node.heartbeatAgeMs < 1_000, `${node.heartbeatAgeMs}`);
      assert.ok(Date.parse(node.startedAt) <= Date.now());
    },
  );
});

Deno.test("GET /api/nodes lists every registered node, the leader marked", async () => {
  await withServer({}, async (api, server) => {
    const { store } = server.queue;
    const at = Date.now() - 2_500;
    await store.registerNode({
      id: "other",
      name: "web-2",
      host: "b",
      version: "0.0.9",
      startedAt: 0,
      heartbeatAt: at,
      workers: 8,
      busy: 3,
      types: ["noop"],
    });
    const { body } = await api.get<NodeView[]>("/api/nodes");
    assert.deepEqual(body.map((n) => [n.name, n.leader]), [["web-2", false], [
      body[1].name,
      true,
    ]]);
    assert.equal(body[0].startedAt, "1970-01-01T00:00:00.000Z");
    assert.ok(body[0].heartbeatAgeMs >= 2_500);
    assert.deepEqual([body[0].workers, body[0].busy, body[0].types], [8, 3, ["noop"]]);
  });
});
