/**
 * A rolling deploy on PostgreSQL: two nodes run the fixtures; a third joins with one more
 * handler module (the type `t-added`). Jobs of the new type go only to the new node (the PID
 * each run records, and the lease owner of every one seen running), while jobs of the old types,
 * enqueued through the new node, are shared with the old nodes: those are claiming, just never
 * a type they lack.
 */

import assert from "node:assert/strict";
import { ADDED_TYPE_HANDLERS } from "./fixtures/added_type_handlers.ts";
import { FIXTURES } from "./fixtures/handlers.ts";
import { enqueue, nodeOf, nodesSeenBy, startNode, statsOf, stop } from "./support/cluster_nodes.ts";
import { postgresCluster } from "./support/postgres.ts";
import { waitFor } from "./support/wait.ts";

const EACH = 40;

/** Job id → the PIDs that ran it, from a file of `jobId attempt pid` lines. */
function runs(file: string): Map<string, number[]> {
  const byJob = new Map<string, number[]>();
  for (const line of Deno.readTextFileSync(file).trim().split("\n")) {
    if (line === "") continue;
    const [id, , pid] = line.split(" ");
    byJob.set(id, [...byJob.get(id) ?? [], Number(pid)]);
  }
  return byJob;
}

Deno.test("Cluster on PostgreSQL: a node joining with a new job type gets all its jobs; old nodes never claim them", async () => {
  const cluster = await postgresCluster();
  const database = await cluster.createDatabase();
  const databaseName = new URL(database).pathname.slice(1);
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-rolling-" });
  const addedFile = `${dir}/added.log`;
  const oldFile = `${dir}/old.log`;
  Deno.writeTextFileSync(addedFile, "");
  Deno.writeTextFileSync(oldFile, "");
  const old = [await startNode(database), await startNode(database)];
  const newer = await startNode(database, { handlers: [FIXTURES, ADDED_TYPE_HANDLERS] });
  const all = [...old, newer];
  try {
    const nodes = await waitFor(async () => {
      const nodes = await nodesSeenBy(old[0]);
      return nodes.length === 3 ? nodes : undefined;
    }, { message: "three nodes registered" });
    assert.ok(nodeOf(nodes, newer)!.types.includes("t-added"));
    for (const node of old) assert.ok(!nodeOf(nodes, node)!.types.includes("t-added"));
    const newerId = nodeOf(nodes, newer)!.id;

    // Both kinds through the new node, 100 ms each: the old nodes are idle and claiming.
    const added = await enqueue(
      newer,
      Array.from(
        { length: EACH },
        () => ({ type: "t-added", payload: { file: addedFile, ms: 100 } }),
      ),
    );
    const oldType = await enqueue(
      newer,
      Array.from(
        { length: EACH },
        () => ({ type: "t-records", payload: { file: oldFile, ms: 100 } }),
      ),
    );
    // Whoever holds a `t-added` job while it runs is the new node.
    const owners = new Set<string>();
    await waitFor(async () => {
      const held = await cluster.psql(
        "SELECT DISTINCT lease_owner FROM denoqueue.jobs " +
          "WHERE type = 't-added' AND status = 'in-progress'",
        databaseName,
      );
      for (const owner of held.trim().split("\n").filter(Boolean)) owners.add(owner);
      const stats = await statsOf(newer);
      return stats.byStatus.completed === 2 * EACH;
    }, { timeout: 30_000, interval: 20, message: "every job completed" });

    assert.deepEqual([...owners], [newerId], "only the new node held t-added jobs");
    const addedRuns = runs(addedFile);
    assert.equal(addedRuns.size, EACH);
    for (const { id } of added) {
      assert.deepEqual(addedRuns.get(id), [newer.child.pid], `t-added job ${id} ran once, on it`);
    }
    const oldRuns = runs(oldFile);
    const ranOn = new Set([...oldRuns.values()].flat());
    assert.equal(oldRuns.size, EACH);
    for (const { id } of oldType) assert.equal(oldRuns.get(id)?.length, 1, `job ${id} ran once`);
    for (const node of old) {
      assert.ok(ranOn.has(node.child.pid), `old node ${node.child.pid} ran old-type jobs`);
    }
    console.log(
      `rolling deploy: ${EACH} t-added jobs all ran on the new node (lease owners seen: ` +
        `${owners.size}); ${EACH} t-records jobs ran on ${ranOn.size} nodes`,
    );
  } finally {
    for (const node of all) await stop(node, "SIGTERM");
  }
});
