/**
 * An attempt whose lease was lost (rescued, cancelled or removed by someone else) does not go
 * on: the pool stops it at its next renewal, and never runs a job it claims again while the
 * earlier attempt still winds down.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { endAttempt } from "../../queue/attempts/settle.ts";
import type { Job } from "../../queue/job.ts";
import { INTERRUPTED } from "../../queue/maintenance/rescuer.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { waitFor, within } from "../support/wait.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";

/** A server of one worker whose leases (600 ms) are renewed every 200 ms. */
async function start(killGrace: number) {
  const store = new MemoryStore();
  const server = await createServer({
    workers: 1,
    concurrency: 4,
    handlers: [FIXTURES],
    store,
    lease: 600,
    killGrace,
    shutdownGrace: 50,
    logger: TEST_LOGGER,
  });
  const running = async (type: string): Promise<Job> => {
    const [job] = await server.queue.enqueue([{ type, payload: {} }]);
    return await waitFor(async () => {
      const now = await store.get({ id: job.id });
      return now?.status === "in-progress" ? now : undefined;
    }, { message: `${type} to run` });
  };
  return { store, server, running };
}

Deno.test("WorkerPool stops an attempt whose lease another rescued", async () => {
  const { store, server, running } = await start(200);
  try {
    const job = await running("t-waits"); // runs until its signal aborts
    // Another process's rescuer ends the attempt and schedules the retry an hour away.
    const rescued = endAttempt(job, "scheduled", Date.now(), {
      outcome: "interrupted",
      error: INTERRUPTED,
    });
    rescued.runAt = Date.now() + 3_600_000;
    const fence = { leaseToken: job.leaseToken };
    assert.equal(
      (await store.update({ updates: [{ from: "in-progress", job: rescued, fence }] })).length,
      1,
    );
    await waitFor(() => server.pool.running === 0, { message: "the pool to stop the attempt" });
    const after = await store.get({ id: job.id });
    assert.equal(after?.status, "scheduled", "the rescue stands");
    assert.deepEqual(after?.attempts.map((a) => a.outcome), ["interrupted"]);
  } finally {
    await within(server.shutdown(), "shutdown");
  }
});

Deno.test("WorkerPool does not run a job it claims again while the earlier attempt winds down", async () => {
  const { store, server, running } = await start(2_000);
  try {
    const job = await running("t-ignores"); // ignores its signal: winds down for kill-grace
    const seen: string[] = [];
    server.events.on((event) => {
      if (event.type === "requeued" && event.job.id === job.id) seen.push(event.job.status);
    });
    // Put back by someone else (its attempt dropped): queued, and claimed again at once.
    const putBack = { ...job, status: "queued" as const, attempts: [] };
    const fence = { leaseToken: job.leaseToken };
    assert.equal(
      (await store.update({ updates: [{ from: "in-progress", job: putBack, fence }] })).length,
      1,
    );
    const [trigger] = await server.queue.enqueue([{ type: "noop", payload: {} }]); // it claims
    await waitFor(() => seen.includes("scheduled"), {
      message: "the claim of a job still running here to go back for later",
    });
    await waitFor(async () => (await store.get({ id: trigger.id }))?.status === "completed", {
      message: "the job that made the pool claim to complete",
    });
    assert.ok(server.pool.stats().running <= 1, "one attempt of it runs here, not two");
  } finally {
    await within(server.shutdown(), "shutdown");
  }
});
