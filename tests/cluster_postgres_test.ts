/**
 * A cluster of real server processes on one PostgreSQL database (a private cluster): a stopping
 * leader hands over within beats; a leader killed with `kill -9` is replaced once its lease runs
 * out and its running jobs are rescued as interrupted, long before their job leases would; a
 * node stalled past the node timeout (SIGSTOP) has its jobs rescued, its late results refused,
 * and registers again when it wakes. Beats of 250 ms and a node timeout of 2 s keep it short;
 * job leases of 60 s show the rescue does not wait for them. Times measured are printed.
 */

import assert from "node:assert/strict";
import type { NodeView } from "../api/routes/nodes.ts";
import { NODE_LOST } from "../queue/maintenance/rescuer.ts";
import type { JobView, StatsView } from "./support/api_server.ts";
import {
  enqueue,
  getJson,
  leaderSeenBy,
  ownId,
  post,
  startNode,
  stop,
} from "./support/cluster_nodes.ts";
import { postgresCluster } from "./support/postgres.ts";
import { waitFor } from "./support/wait.ts";

Deno.test("Cluster on PostgreSQL: one leader; a leader stopping with SIGTERM hands over within beats", async () => {
  const database = await (await postgresCluster()).createDatabase();
  const a = await startNode(database);
  const b = await startNode(database);
  try {
    const aId = await waitFor(() => leaderSeenBy(b), { message: "a leader" });
    assert.equal(aId, await leaderSeenBy(a), "both see the same leader");
    // Registered before its pool started, a node reports its workers from its next beat.
    const nodes = await waitFor(async () => {
      const nodes = await getJson<NodeView[]>(b, "/api/nodes");
      return nodes.every((n) => n.workers === 1) ? nodes : undefined;
    }, { message: "both nodes' beats with their workers" });
    assert.equal(nodes.length, 2);
    assert.equal(nodes.filter((n) => n.leader).length, 1);
    assert.ok(nodes.every((n) => n.types.includes("t-records")));
    const [leader, other] = nodes[0].id === aId ? [a, b] : [b, a];
    const stoppedAt = Date.now();
    await stop(leader, "SIGTERM");
    const otherId = nodes.find((n) => n.id !== aId)!.id;
    await waitFor(async () => await leaderSeenBy(other) === otherId, {
      timeout: 10_000,
      interval: 20,
      message: "the other node to lead",
    });
    const handover = Date.now() - stoppedAt;
    console.log(`A stopping leader was replaced in ${handover} ms (its stop included)`);
    assert.deepEqual((await getJson<NodeView[]>(other, "/api/nodes")).map((n) => n.id), [otherId]);
  } finally {
    await stop(a, "SIGTERM");
    await stop(b, "SIGTERM");
  }
});

Deno.test("Cluster on PostgreSQL: a leader killed with kill -9 is replaced and its running jobs rescued as interrupted", async () => {
  const database = await (await postgresCluster()).createDatabase();
  const a = await startNode(database);
  const aId = await ownId(a);
  const b = await startNode(database);
  try {
    assert.equal(await leaderSeenBy(b), aId, "the first node leads");
    // Only `a` works: `b` hands out no jobs.
    assert.equal((await post(b, "/api/queue/pause")).status, 200);
    const jobs = await enqueue(a, Array.from({ length: 4 }, () => ({ type: "t-waits" })));
    await waitFor(async () => {
      const stats = await getJson<StatsView>(b, "/api/stats");
      return stats.byStatus["in-progress"] === 4;
    }, { message: "the jobs running on a" });
    const killedAt = Date.now();
    await stop(a, "SIGKILL");
    const leadAfter = await waitFor(async () => {
      const nodes = await getJson<NodeView[]>(b, "/api/nodes");
      const self = nodes.find((n) => n.id !== aId);
      return self?.leader ? Date.now() - killedAt : undefined;
    }, { timeout: 10_000, interval: 20, message: "b to lead" });
    const rescuedAfter = await waitFor(async () => {
      for (const job of jobs) {
        const view = await getJson<JobView>(b, `/api/jobs/${job.id}`);
        if (view.attempts?.[0]?.outcome !== "interrupted") return undefined;
      }
      return Date.now() - killedAt;
    }, { timeout: 15_000, interval: 20, message: "the killed node's jobs rescued" });
    console.log(
      `A leader killed with kill -9 was replaced after ${leadAfter} ms; its 4 running jobs ` +
        `were rescued after ${rescuedAfter} ms (node timeout 2 s, job lease 60 s)`,
    );
    assert.ok(rescuedAfter < 10_000, "well before the 60 s job lease");
    for (const job of jobs) {
      const view = await getJson<JobView>(b, `/api/jobs/${job.id}`);
      assert.equal(view.attempts?.[0]?.error, NODE_LOST);
    }
    const nodes = await getJson<NodeView[]>(b, "/api/nodes");
    assert.deepEqual(nodes.map((n) => n.id).includes(aId), false, "the dead node is removed");
  } finally {
    await stop(a, "SIGKILL");
    await stop(b, "SIGTERM");
  }
});

Deno.test("Cluster on PostgreSQL: a node stalled past the timeout cannot write over its rescued jobs, and registers again", async () => {
  const database = await (await postgresCluster()).createDatabase();
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-cluster-" });
  const file = `${dir}/runs.log`;
  Deno.writeTextFileSync(file, "");
  const b = await startNode(database);
  const bId = await ownId(b);
  const a = await startNode(database);
  try {
    assert.equal(await leaderSeenBy(a), bId);
    const aId = (await getJson<NodeView[]>(b, "/api/nodes")).find((n) => n.id !== bId)!.id;
    assert.equal((await post(b, "/api/queue/pause")).status, 200);
    const jobs = await enqueue(
      a,
      Array.from({ length: 3 }, () => ({
        type: "t-records",
        payload: { file, ms: 1_500 },
        options: { maxAttempts: 3, backoff: { base: 100, factor: 1, cap: 100 } },
      })),
    );
    await waitFor(() => Deno.readTextFileSync(file).trim().split("\n").length === 3, {
      message: "the jobs started on a",
    });
    await stop(a, "SIGSTOP"); // A stall: the process is alive, and silent.
    const stalledAt = Date.now();
    await waitFor(async () => {
      for (const job of jobs) {
        const view = await getJson<JobView>(b, `/api/jobs/${job.id}`);
        if (view.attempts?.[0]?.outcome !== "interrupted") return false;
      }
      return true;
    }, { timeout: 15_000, interval: 20, message: "the stalled node's jobs rescued" });
    const rescuedAfter = Date.now() - stalledAt;
    assert.ok(!(await getJson<NodeView[]>(b, "/api/nodes")).some((n) => n.id === aId));
    a.child.kill("SIGCONT");
    // It wakes: its handlers finish, their results are refused; it beats, finds its row gone
    // and registers again; then it runs the retries (b is paused) to completion.
    await waitFor(
      async () => (await getJson<NodeView[]>(b, "/api/nodes")).some((n) => n.id === aId),
      {
        timeout: 10_000,
        message: "a registered again",
      },
    );
    await waitFor(async () => {
      const stats = await getJson<StatsView>(b, "/api/stats");
      return stats.byStatus.completed === 3;
    }, { timeout: 20_000, message: "the retries completed" });
    for (const job of jobs) {
      const view = await getJson<JobView>(b, `/api/jobs/${job.id}`);
      assert.deepEqual(view.attempts?.map((attempt) => attempt.outcome), [
        "interrupted",
        "completed",
      ]);
      assert.equal(view.attempts?.[0]?.error, NODE_LOST);
      assert.deepEqual(view.result, { ran: 2 }, "the second attempt's result, not the first's");
    }
    const stale = (await getJson<StatsView>(a, "/api/stats")).staleOutcomes;
    assert.equal(stale, 3, "the stalled attempts' late results were refused");
    assert.ok(a.lines.some((line) => /registering again/.test(line)));
    console.log(
      `A node stalled with SIGSTOP had its 3 running jobs rescued after ${rescuedAfter} ms`,
    );
  } finally {
    try {
      a.child.kill("SIGCONT");
    } catch { /* gone */ }
    await stop(a, "SIGTERM");
    await stop(b, "SIGTERM");
  }
});
