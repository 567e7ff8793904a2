/**
 * A job cancelled through one node while another holds it: two server processes on one
 * PostgreSQL database, the job claimed ahead on the second. The first node tells the others at
 * once: the second drops it, and never runs it, without waiting for its next lease renewal
 * (a hundred seconds away here).
 */

import assert from "node:assert/strict";
import { enqueue, post, startNode, statsOf, stop } from "./support/cluster_nodes.ts";
import { HoldServer } from "./support/hold.ts";
import { postgresCluster } from "./support/postgres.ts";
import { waitFor } from "./support/wait.ts";

Deno.test("cluster: a job held ahead on one node and cancelled through another never runs", async () => {
  await using hold = HoldServer.start();
  const cluster = await postgresCluster();
  const database = await cluster.createDatabase();
  const lease = ["--lease", "300s"]; // renewed every 100 s: past this test's deadlines
  const canceller = await startNode(database, { args: lease });
  // Paused: the jobs go to the other node, which holds the second ahead of its one place.
  assert.equal((await post(canceller, "/api/queue/pause")).status, 200);
  const holder = await startNode(database, {
    concurrency: 1,
    args: [...lease, "--claim-ahead", "4", "--http-allow", hold.allow],
  });
  try {
    const [first, held] = await enqueue(
      holder,
      ["a", "b"].map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
    );
    await waitFor(
      async () => hold.arrivals("a") === 1 && (await statsOf(holder)).workers.claimedAhead === 1,
      {
        timeout: 30_000,
      },
    );
    assert.equal((await post(canceller, `/api/jobs/${held.id}/cancel`)).status, 200);
    await waitFor(async () => (await statsOf(holder)).workers.claimedAhead === 0, {
      timeout: 30_000,
      message: "the holder to drop the job cancelled elsewhere",
    });
    hold.release("a");
    await waitFor(async () => {
      const job = await fetch(`${holder.url}/api/jobs/${first.id}`).then((r) => r.json());
      return job.status === "completed";
    }, { timeout: 30_000 });
    const { workers } = await statsOf(holder);
    assert.equal(workers.running + workers.claimedAhead, 0);
    assert.equal(hold.arrivals("b"), 0, "the cancelled job never ran");
  } finally {
    hold.release("a");
    hold.release("b");
    await stop(canceller, "SIGTERM");
    await stop(holder, "SIGTERM");
  }
});
