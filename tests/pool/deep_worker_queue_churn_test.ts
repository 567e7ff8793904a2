/**
 * Deep worker queues under churn: quick jobs with a slow one every so often (each holding up to
 * 16 quick ones queued behind it in its worker), cancels of jobs wherever they are, and pauses
 * and resumes, on workers of one and of two places. Every job ends (nothing stalls claimed
 * ahead), runs at most once per attempt and once in all unless cancelled, and once quiet the
 * pool holds nothing and the store has nothing in progress.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

const JOBS = 1_500;

for (const concurrency of [1, 2]) {
  Deno.test(`deep worker queue: churn on 2 workers × ${concurrency}, every job ends and runs once`, async () => {
    const dir = Deno.makeTempDirSync({ dir: "/tmp", prefix: "denoqueue-churn-" });
    const file = `${dir}/runs.log`;
    Deno.writeTextFileSync(file, "");
    const server = await createServer({
      store: new MemoryStore(),
      workers: 2,
      concurrency,
      claimAhead: 256,
      handlers: [FIXTURES],
      killGrace: 200,
      shutdownGrace: 100,
      logger: TEST_LOGGER,
    });
    try {
      const jobs = await server.queue.enqueue(
        Array.from({ length: JOBS }, (_, i) => ({
          type: "t-records",
          payload: { file, ms: i % 97 === 0 ? 150 : i % 2 },
          options: { maxAttempts: 1, timeout: 60_000 },
        })),
      );
      const cancelled = new Set<string>();
      let finals = 0;
      for (let round = 0; finals < JOBS; round++) {
        // Cancel a few jobs, wherever they are now (queued, held ahead, waiting in a worker).
        for (const job of jobs.slice(round * 37 % JOBS).slice(0, 3)) {
          if (await server.queue.cancel(job.id).then(() => true, () => false)) {
            cancelled.add(job.id);
          }
        }
        if (round % 5 === 2) {
          server.pool.pause();
          await waitFor(() => server.pool.stats().claimedAhead === 0, {
            timeout: 30_000,
            message: `the pause to take back what waits: ${JSON.stringify(server.pool.stats())}`,
          });
          server.pool.resume();
        }
        const counts = await server.queue.store.counts();
        finals = counts.byStatus.completed + counts.byStatus.cancelled + counts.byStatus.failed;
        if (round > 2_000) break;
        await waitFor(async () => {
          const now = await server.queue.store.counts();
          return now.byStatus.completed + now.byStatus.cancelled + now.byStatus.failed > finals ||
            finals === JOBS;
        }, { timeout: 30_000, message: `progress past ${finals} final jobs` });
      }
      const runs = Deno.readTextFileSync(file).trim().split("\n").filter((line) => line !== "");
      const byJob = new Map<string, number>();
      for (const line of runs) {
        const [id] = line.split(" ");
        byJob.set(id, (byJob.get(id) ?? 0) + 1);
      }
      for (const job of jobs) {
        const stored = (await server.queue.get(job.id))!;
        const ran = byJob.get(job.id) ?? 0;
        if (stored.status === "cancelled") {
          assert.ok(ran <= 1, `${job.id} cancelled, ran ${ran} times`);
        } else {
          assert.equal(stored.status, "completed", `${job.id}: ${stored.status}`);
          assert.equal(stored.attempts.length, 1, `${job.id} in one attempt`);
          assert.equal(ran, 1, `${job.id} ran once`);
        }
      }
      await waitFor(() => {
        const stats = server.pool.stats();
        return stats.running === 0 && stats.claimedAhead === 0;
      }, { timeout: 30_000, message: `the pool to hold nothing` });
      assert.equal((await server.queue.store.counts()).byStatus["in-progress"], 0);
    } finally {
      await server.shutdown();
      Deno.removeSync(dir, { recursive: true });
    }
  });
}
