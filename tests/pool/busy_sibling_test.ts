/**
 * Jobs claimed ahead for a worker stuck on a slow job do not wait behind it while another
 * worker of the same set has a free place and nothing of its own: that worker takes them, and
 * their attempts name it.
 */

import assert from "node:assert/strict";
import type { Job } from "../../queue/job.ts";
import { aheadServer, warmEveryWorker } from "../support/claim_ahead.ts";
import { HoldServer } from "../support/hold.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("claimAhead: a free worker takes the jobs held for a sibling busy with a slow one", async () => {
  await using hold = HoldServer.start();
  const server = await aheadServer(hold, { workers: 2, killGrace: 5_000, shutdownGrace: 10_000 });
  const done = (id: string) =>
    waitFor(async () => {
      const job = await server.queue.get(id);
      return job?.status === "completed" ? job : undefined;
    }, { timeout: 30_000, message: `job ${id} to complete` });
  try {
    // Both workers keep the pace of 4 jobs: each then claims 1 + 4 at once.
    assert.equal(await warmEveryWorker(server, hold, 2), 2, "both workers warmed up");

    // One worker claims them all: it runs `slow` (held) and holds the rest.
    const [slow, ...rest] = await server.queue.enqueue(
      ["slow", "b", "c", "d", "e"].map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
    );
    for (const key of ["b", "c", "d", "e"]) hold.release(key);
    await waitFor(() => hold.arrivals("slow") === 1, { timeout: 30_000 });
    const slowWorker = (await server.queue.get(slow.id))!.attempts[0].workerId;
    // At most one waits in the busy worker itself (its queue of one place); the others run on
    // the free worker while `slow` still runs.
    const finished: Job[] = [];
    await waitFor(async () => {
      finished.length = 0;
      for (const job of rest) {
        const stored = await server.queue.get(job.id);
        if (stored?.status === "completed") finished.push(stored);
      }
      return finished.length >= rest.length - 1;
    }, { timeout: 30_000, message: "the jobs held for the busy worker to run on the other" });
    assert.equal((await server.queue.get(slow.id))?.status, "in-progress", "slow still runs");
    for (const job of finished) {
      assert.notEqual(job.attempts[0].workerId, slowWorker, `${job.id} ran on the free worker`);
      assert.equal(job.attempts.length, 1);
    }
    hold.release("slow");
    for (const job of [slow, ...rest]) await done(job.id);
  } finally {
    hold.release("slow");
    await server.shutdown();
  }
});
