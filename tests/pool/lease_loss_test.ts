/**
 * An attempt whose lease was lost (rescued, cancelled or removed by someone else) does not go
 * on: the pool stops it at its next renewal, and never runs a job it claims again while the
 * earlier attempt still winds down. A renewal that answers late stops no attempt begun since.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { endAttempt } from "../../queue/attempts/settle.ts";
import type { Job } from "../../queue/job.ts";
import { INTERRUPTED } from "../../queue/maintenance/rescuer.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { HoldServer } from "../support/hold.ts";
import { recordStore } from "../support/recording_store.ts";
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

for (const where of ["held ahead", "running"]) {
  Deno.test(`WorkerPool: a renewal sent before a job was put back and claimed again stops nothing (${where})`, async () => {
    await using hold = HoldServer.start();
    const recorded = recordStore(new MemoryStore());
    // One place, so that the second job waits ahead (as many are held as were finished in the
    // last minute: three quick ones first); leases renewed every 200 ms.
    const server = await createServer({
      store: recorded.store,
      workers: 1,
      concurrency: 1,
      claimAhead: 4,
      claimAheadPaceMs: 60_000,
      lease: 600,
      handlers: [FIXTURES],
      httpAllow: [hold.allow],
      killGrace: 100,
      shutdownGrace: 100,
      logger: TEST_LOGGER,
    });
    const renewals = () => recorded.calls.filter((call) => call === "renewLeases:end").length;
    try {
      for (const key of ["q1", "q2", "q3"]) hold.release(key);
      for (
        const quick of await server.queue.enqueue(
          ["q1", "q2", "q3"].map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
        )
      ) await server.queue.waitForFinal(quick.id, { timeout: 30_000 });
      const [, job] = await server.queue.enqueue(
        ["a", "b"].map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
      );
      await waitFor(() => hold.arrivals("a") === 1 && server.pool.stats().claimedAhead === 1, {
        timeout: 30_000,
      });
      // A renewal naming the job's first claim is on its way while the pool pauses (the job
      // goes back), resumes and claims it again, under another lease.
      const renewal = recorded.hold("renewLeases");
      await within(renewal.reached, "a renewal");
      server.pool.pause();
      await waitFor(async () => (await recorded.store.get({ id: job.id }))?.status === "queued", {
        timeout: 30_000,
      });
      server.pool.resume();
      await waitFor(() => server.pool.stats().claimedAhead === 1, { timeout: 30_000 });
      if (where === "running") {
        hold.release("a");
        await waitFor(() => hold.arrivals("b") === 1, { timeout: 30_000 });
      }
      const before = renewals();
      renewal.release(); // It names the first claim's lease: not renewed.
      await waitFor(() => renewals() >= before + 2, { timeout: 30_000, message: "renewals" });
      hold.release("a");
      hold.release("b");
      const done = await server.queue.waitForFinal(job.id, { timeout: 30_000 });
      assert.equal(done?.status, "completed");
      assert.deepEqual(done?.attempts.map((attempt) => attempt.outcome), ["completed"]);
      assert.equal(hold.arrivals("b"), 1, "it ran once");
    } finally {
      hold.release("a");
      hold.release("b");
      await within(server.shutdown(), "shutdown");
    }
  });
}
