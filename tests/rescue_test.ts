/**
 * Leases and rescue: a job whose process died is recorded as interrupted, counts against its
 * attempts, and is retried or failed. The rescuer and cleaner alone: tests/maintenance/.
 */

import assert from "node:assert/strict";
import { JobEvents } from "../queue/events.ts";
import { HandlerRegistry } from "../queue/handlers/registry.ts";
import { INTERRUPTED } from "../queue/maintenance/rescuer.ts";
import { Queue } from "../queue/queue.ts";
import { SqliteStore } from "../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../queue/store/store.ts";
import { HoldServer } from "./support/hold.ts";
import { waitFor } from "./support/wait.ts";
import { MemoryStore } from "../queue/store/memory/memory_store.ts";
import { TEST_LOGGER } from "./support/log_capture.ts";

const registry = await HandlerRegistry.load([]);

function queueOn(store: Store, options: { now?: () => number; leaseMs?: number } = {}) {
  return new Queue({ store, registry, events: new JobEvents(), random: () => 1, ...options });
}

/** Leaves one claimed job per entry of `maxAttempts` in a SQLite file, as a killed process would. */
async function diedWhileRunning(maxAttempts: number[]): Promise<string> {
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-rescue-" })}/jobs.db`;
  const store = SqliteStore.open(path);
  const queue = queueOn(store);
  await queue.open();
  for (const attempts of maxAttempts) {
    await queue.enqueue([{ type: "noop", payload: {}, options: { maxAttempts: attempts } }]);
  }
  await queue.claim(maxAttempts.length, "w1");
  await queue.close();
  await store.close();
  return path;
}

Deno.test("Queue.open() rescues jobs left in progress: interrupted, then retried", async () => {
  const path = await diedWhileRunning([3]);
  const store = SqliteStore.open(path);
  const queue = queueOn(store);
  try {
    await queue.open();
    const [job] = await queue.list({ limit: 1 });
    assert.equal(job.status, "scheduled", "retried after backoff");
    assert.equal(job.attempts.length, 1);
    assert.equal(job.attempts[0].outcome, "interrupted");
    assert.equal(job.attempts[0].error, INTERRUPTED);
    assert.ok(job.attempts[0].endedAt !== undefined);
    assert.equal(job.leaseOwner, undefined);
    assert.equal((await queue.stats()).byStatus["in-progress"], 0);
  } finally {
    await queue.close();
    await store.close();
  }
});

Deno.test("Queue.open() fails a job that killed the process on its last attempt", async () => {
  const path = await diedWhileRunning([1]);
  const store = SqliteStore.open(path);
  const queue = queueOn(store);
  try {
    await queue.open();
    const [job] = await queue.list({ limit: 1 });
    assert.equal(job.status, "failed");
    assert.equal(job.error, INTERRUPTED);
    assert.equal((await queue.stats()).capacity.used, 0);
  } finally {
    await queue.close();
    await store.close();
  }
});

Deno.test("WorkerPool renews the lease of a job that runs longer than the lease", async () => {
  const { createServer } = await import("../api/server.ts");
  await using hold = HoldServer.start();
  // Renewed every 1.3 s and looked at by the rescuer every 2 s: a loaded machine has seconds
  // of slack, and the job runs until released, past the lease it was claimed with.
  const lease = 4_000;
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    lease,
    httpAllow: [hold.allow],
    logger: TEST_LOGGER,
  });
  try {
    const [job] = await server.queue.enqueue([{ type: "http", payload: hold.payload("long") }]);
    await waitFor(() => hold.arrivals("long") === 1, { message: "the job to start" });
    const claimed = await server.queue.get(job.id);
    const claimedUntil = claimed!.leaseExpiresAt!;
    await waitFor(() => Date.now() > claimedUntil, {
      timeout: 10 * lease,
      message: "the lease the job was claimed with to run out",
    });
    await server.queue.maintenance.rescuer.runOnce();
    hold.release("long");
    const done = await server.queue.waitForFinal(job.id, { timeout: 10_000 });
    assert.equal(done?.status, "completed");
    assert.equal(done?.attempts.length, 1, "never rescued while it ran");
    assert.equal(done?.attempts[0].outcome, "completed");
  } finally {
    await server.shutdown();
  }
});
