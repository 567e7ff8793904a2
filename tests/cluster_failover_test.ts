/**
 * Failover on PostgreSQL: the leader is killed with `kill -9` right after it acknowledged a
 * job scheduled 3 s ahead; another node takes over once the leader lease runs out (the node
 * timeout, 2 s here) and its scheduler still runs the job on time, within a beat or two of its
 * `runAt`. Times measured are printed.
 */

import assert from "node:assert/strict";
import type { JobView } from "./support/api_server.ts";
import { enqueue, getJson, nodeOf, nodesSeenBy, startNode, stop } from "./support/cluster_nodes.ts";
import { postgresCluster } from "./support/postgres.ts";
import { waitFor } from "./support/wait.ts";

const HEARTBEAT_MS = 250;
const DELAY_MS = 3_000;

Deno.test("Cluster on PostgreSQL: a leader killed with kill -9 is replaced and a job it scheduled still runs on time", async () => {
  const database = await (await postgresCluster()).createDatabase();
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-failover-" });
  const file = `${dir}/runs.log`;
  Deno.writeTextFileSync(file, "");
  const first = await startNode(database);
  const second = await startNode(database);
  try {
    const nodes = await waitFor(async () => {
      const nodes = await nodesSeenBy(second);
      return nodes.length === 2 && nodes.some((n) => n.leader) ? nodes : undefined;
    }, { message: "two nodes, one leading" });
    const [leader, follower] = nodeOf(nodes, first)?.leader ? [first, second] : [second, first];
    const followerId = nodeOf(nodes, follower)!.id;

    const [job] = await enqueue(leader, [{
      type: "t-records",
      payload: { file },
      options: { delay: DELAY_MS },
    }]);
    assert.equal(job.status, "scheduled");
    const killedAt = Date.now();
    await stop(leader, "SIGKILL");

    const leadsAfter = await waitFor(async () => {
      const self = (await nodesSeenBy(follower)).find((n) => n.id === followerId);
      return self?.leader ? Date.now() - killedAt : undefined;
    }, { timeout: 10_000, interval: 20, message: "the follower to lead" });
    const done = await waitFor(async () => {
      const view = await getJson<JobView>(follower, `/api/jobs/${job.id}`);
      return view.status === "completed" ? view : undefined;
    }, { timeout: 10_000, interval: 20, message: "the scheduled job to run" });

    const late = Date.parse(done.attempts![0].startedAt!) - Date.parse(done.runAt!);
    console.log(
      `A leader killed with kill -9 was replaced after ${leadsAfter} ms (node timeout 2 s, ` +
        `beat ${HEARTBEAT_MS} ms); the job it scheduled ${DELAY_MS} ms ahead started ${late} ms ` +
        `after its runAt`,
    );
    assert.ok(leadsAfter < DELAY_MS, "the new leader took over before the job was due");
    assert.ok(late >= 0, "not early");
    assert.ok(late <= 2 * HEARTBEAT_MS, `on time: ${late} ms late, at most two beats`);
    assert.equal(done.attempts!.length, 1, "it ran once");
    const runs = Deno.readTextFileSync(file).trim().split("\n");
    assert.deepEqual(runs, [`${job.id} 1 ${follower.child.pid}`]);
  } finally {
    await stop(first, "SIGKILL");
    await stop(second, "SIGTERM");
  }
});
