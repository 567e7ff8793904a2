/**
 * Jobs claimed ahead for a worker stuck on a slow job do not wait behind it while another
 * worker of the same set has a free place and nothing of its own: that worker takes them, and
 * their attempts name it.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import type { Job } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { HoldServer } from "../support/hold.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("claimAhead: a free worker takes the jobs held for a sibling busy with a slow one", async () => {
  await using hold = HoldServer.start();
  const server = await createServer({
    store: new MemoryStore(),
    workers: 2,
    concurrency: 1,
    claimAhead: 4,
    claimAheadPaceMs: 60_000,
    handlers: [FIXTURES],
    httpAllow: [hold.allow],
    logger: TEST_LOGGER,
  });
  const done = (id: string) =>
    waitFor(async () => {
      const job = await server.queue.get(id);
      return job?.status === "completed" ? job : undefined;
    }, { timeout: 30_000, message: `job ${id} to complete` });
  /** Quick `t-holds` jobs (released before they run), enqueued together. */
  const quick = async (keys: string[]) => {
    for (const key of keys) hold.release(key);
    return await server.queue.enqueue(
      keys.map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
    );
  };
  try {
    // Both workers keep the pace of 4 jobs: each then claims 1 + 4 at once.
    const ranBy = new Map<string, number>();
    for (
      let round = 0;
      round < 20 && [...ranBy.values()].filter((n) => n >= 4).length < 2;
      round++
    ) {
      const jobs = await quick(Array.from({ length: 8 }, (_, i) => `warm-${round}-${i}`));
      for (const job of jobs) {
        const worker = (await done(job.id)).attempts[0].workerId;
        ranBy.set(worker, (ranBy.get(worker) ?? 0) + 1);
      }
    }
    assert.equal([...ranBy.values()].filter((n) => n >= 4).length, 2, "both workers warmed up");

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
