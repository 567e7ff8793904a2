/**
 * Jobs claimed ahead for a worker (`claimAhead`): in progress in the store and renewed while
 * they wait, run once places free up with their attempt's time starting then; dropped when
 * cancelled; put back without losing an attempt when the pool pauses, shuts down or loses the
 * worker; claimed again after someone else put it back, only the new claim runs. One worker of
 * one place, so that every job after the first waits ahead.
 */

import assert from "node:assert/strict";
import { type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import type { Job } from "../../queue/job.ts";
import { ClaimedAhead } from "../../queue/pool/claimed_ahead.ts";
import type { WorkerHandle } from "../../queue/pool/worker_handle.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import { aheadServer, finished, stored } from "../support/claim_ahead.ts";
import { HoldServer } from "../support/hold.ts";
import { waitFor } from "../support/wait.ts";

/**
 * A server whose worker of `t-holds` holds up to 4 jobs ahead, as many as it finished in the
 * last minute: after 3 quick jobs, which it runs first, 3.
 */
async function start(hold: HoldServer, options: ServerOptions = {}): Promise<DenoQueueServer> {
  const server = await aheadServer(hold, options);
  // Quick ones of the same worker (`t-holds` let through at once): the pace it will keep.
  for (const key of ["q1", "q2", "q3"]) hold.release(key);
  for (const job of await holding(server, hold, ["q1", "q2", "q3"])) {
    await finished(server, job.id);
  }
  return server;
}

/** `t-holds` jobs, one per key, enqueued together (so one claim takes them all). */
async function holding(server: DenoQueueServer, hold: HoldServer, keys: string[]) {
  return await server.queue.enqueue(
    keys.map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
  );
}

/** Lets every job of these tests finish. */
function releaseAll(hold: HoldServer): void {
  for (const key of ["a", "b", "c"]) hold.release(key);
}

Deno.test("claimAhead: jobs held ahead are in progress, counted, and run once a place frees", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold);
  try {
    const [first, ...rest] = await holding(server, hold, ["a", "b", "c"]);
    await waitFor(() => hold.arrivals("a") === 1, { timeout: 30_000 });
    await waitFor(() => server.pool.stats().claimedAhead === 2, { timeout: 30_000 });
    assert.equal(server.pool.running, 1);
    for (const job of rest) assert.equal((await stored(server, job.id)).status, "in-progress");
    assert.equal((await server.queue.stats()).byStatus["in-progress"], 3);
    assert.equal(hold.arrivals("b") + hold.arrivals("c"), 0, "held jobs do not run");

    const freedAt = Date.now();
    hold.release("a");
    await finished(server, first.id);
    await waitFor(() => hold.arrivals("b") === 1, { timeout: 30_000 });
    hold.release("b");
    await waitFor(() => hold.arrivals("c") === 1, { timeout: 30_000 });
    hold.release("c");
    for (const job of rest) {
      const done = await finished(server, job.id);
      assert.equal(done.status, "completed");
      assert.equal(done.attempts.length, 1);
      // Its attempt began when its handler got it, not when it was claimed.
      assert.ok(done.attempts[0].startedAt >= freedAt, "the attempt starts at hand-over");
    }
    assert.equal(server.pool.stats().claimedAhead, 0);
  } finally {
    releaseAll(hold);
    await server.shutdown();
  }
});

Deno.test("claimAhead: a job cancelled while held is dropped and never runs", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold);
  try {
    const [first, cancelled, last] = await holding(server, hold, ["a", "b", "c"]);
    await waitFor(() => server.pool.stats().claimedAhead === 2, { timeout: 30_000 });
    await server.queue.cancel(cancelled.id);
    // Queued in the worker: counted until the worker says it dropped it.
    await waitFor(() => server.pool.stats().claimedAhead === 1, { timeout: 30_000 });
    hold.release("a");
    await waitFor(() => hold.arrivals("c") === 1, { timeout: 30_000 });
    hold.release("c");
    await finished(server, first.id);
    assert.equal((await finished(server, last.id)).status, "completed");
    assert.equal(hold.arrivals("b"), 0, "the cancelled job never ran");
    assert.equal((await stored(server, cancelled.id)).status, "cancelled");
  } finally {
    releaseAll(hold);
    await server.shutdown();
  }
});

Deno.test("claimAhead: pausing puts held jobs back queued, without an attempt", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold);
  try {
    const [first, ...rest] = await holding(server, hold, ["a", "b", "c"]);
    await waitFor(() => server.pool.stats().claimedAhead === 2, { timeout: 30_000 });
    server.pool.pause();
    // The one queued in the worker: counted until the worker gives it back.
    await waitFor(() => server.pool.stats().claimedAhead === 0, { timeout: 30_000 });
    for (const job of rest) {
      await waitFor(async () => (await stored(server, job.id)).status === "queued", {
        timeout: 30_000,
      });
      assert.deepEqual((await stored(server, job.id)).attempts, []);
    }
    hold.release("a");
    await finished(server, first.id);
    assert.equal(hold.arrivals("b") + hold.arrivals("c"), 0, "nothing runs while paused");
    server.pool.resume();
    releaseAll(hold);
    for (const job of rest) assert.equal((await finished(server, job.id)).attempts.length, 1);
  } finally {
    releaseAll(hold);
    await server.shutdown();
  }
});

Deno.test("claimAhead: a worker that dies puts the jobs held for it back, without an attempt", async () => {
  await using hold = HoldServer.start();
  const server = await start(hold);
  try {
    // Quick jobs of the worker of `t-crashes` set its pace; then one claim takes all three,
    // and the first kills the worker while the others wait ahead.
    const quick = await server.queue.enqueue(
      [1, 2, 3].map((value) => ({ type: "t-succeeds", payload: { value } })),
    );
    for (const job of quick) await finished(server, job.id);
    const [crasher, ...rest] = await server.queue.enqueue([
      { type: "t-crashes", payload: {} },
      { type: "t-succeeds", payload: { value: 1 } },
      { type: "t-succeeds", payload: { value: 2 } },
    ]);
    assert.equal((await finished(server, crasher.id)).status, "failed");
    for (const job of rest) {
      const done = await finished(server, job.id);
      assert.equal(done.status, "completed");
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("claimAhead: the leases of held jobs are renewed while they wait", async () => {
  await using hold = HoldServer.start();
  // A lease of 600 ms, renewed every 200 ms; the rescuer would end an expired one.
  const server = await start(hold, { lease: 600 });
  try {
    const [first, waiting] = await holding(server, hold, ["a", "b"]);
    await waitFor(() => server.pool.stats().claimedAhead === 1, { timeout: 30_000 });
    const claimedUntil = (await stored(server, waiting.id)).leaseExpiresAt ?? 0;
    // Past the lease it was claimed with, three times over: renewed, not rescued.
    await waitFor(async () => (await stored(server, waiting.id)).leaseExpiresAt! > claimedUntil, {
      timeout: 30_000,
    });
    await waitFor(() => Date.now() > claimedUntil + 1_200, { timeout: 30_000 });
    const held = await stored(server, waiting.id);
    assert.equal(held.status, "in-progress");
    assert.equal(held.attempts.length, 1);
    releaseAll(hold);
    await finished(server, first.id);
    const done = await finished(server, waiting.id);
    assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
  } finally {
    releaseAll(hold);
    await server.shutdown();
  }
});

Deno.test("claimAhead: shutdown puts held jobs back in a durable store, without an attempt", async () => {
  await using hold = HoldServer.start();
  const path = `${Deno.makeTempDirSync()}/jobs.db`;
  const server = await start(hold, { store: SqliteStore.open(path) });
  let rest: Job[];
  try {
    [, ...rest] = await holding(server, hold, ["a", "b", "c"]);
    await waitFor(() => server.pool.stats().claimedAhead === 2, { timeout: 30_000 });
  } finally {
    await server.shutdown();
  }
  const store = SqliteStore.open(path);
  try {
    for (const job of rest) {
      const after = await store.get({ id: job.id });
      assert.equal(after?.status, "queued");
      assert.deepEqual(after?.attempts, []);
    }
  } finally {
    await store.close();
    releaseAll(hold);
  }
});

Deno.test("claimAhead: a worker whose jobs are slow holds none ahead; others may take them", async () => {
  await using hold = HoldServer.start();
  // The default pace: what the worker finished in the last 100 ms (here, nothing).
  const server = await aheadServer(hold, { claimAheadPaceMs: undefined });
  try {
    const [first, ...rest] = await holding(server, hold, ["a", "b", "c"]);
    await waitFor(() => hold.arrivals("a") === 1, { timeout: 30_000 });
    assert.equal(server.pool.stats().claimedAhead, 0);
    for (const job of rest) assert.equal((await stored(server, job.id)).status, "queued");
    releaseAll(hold);
    await finished(server, first.id);
    for (const job of rest) assert.equal((await finished(server, job.id)).status, "completed");
  } finally {
    releaseAll(hold);
    await server.shutdown();
  }
});

Deno.test("ClaimedAhead holds what a worker finished in the last window, up to its depth", () => {
  const ahead = new ClaimedAhead(8, 100);
  const worker = { queued: new Map() } as WorkerHandle;
  assert.equal(ahead.target(worker, 0), 0, "nothing finished yet");
  ahead.finished(worker, 5, 0);
  assert.equal(ahead.target(worker, 50), 5);
  assert.equal(ahead.wanted(worker, 2, 50), 7, "its room and its target");
  assert.equal(ahead.target(worker, 150), 5, "the last window counts");
  ahead.finished(worker, 20, 160);
  assert.equal(ahead.target(worker, 170), 8, "up to the depth");
  assert.equal(ahead.target(worker, 400), 0, "two windows later, nothing");
  ahead.add(worker, [{ id: "a" }, { id: "b" }] as Job[]);
  ahead.finished(worker, 3, 410);
  assert.equal(ahead.wanted(worker, 1, 420), 0, "holds 2 of 3: enough for its room");
  assert.equal(ahead.wanted(worker, 3, 420), 1, "what its room lacks");
});

Deno.test("claimAhead: a held job put back by someone else and claimed again runs once", async () => {
  await using hold = HoldServer.start();
  const store = new MemoryStore();
  const server = await start(hold, { store });
  try {
    const [first, held] = await holding(server, hold, ["a", "b"]);
    await waitFor(() => server.pool.stats().claimedAhead === 1, { timeout: 30_000 });
    // Another process's rescuer puts it back, its attempt dropped: queued again.
    const job = await stored(server, held.id);
    const fence = { leaseToken: job.leaseToken };
    const putBack = { ...job, status: "queued" as const, attempts: [] };
    const updates = [{ from: "in-progress" as const, job: putBack, fence }];
    assert.equal((await store.update({ updates })).length, 1);
    // A job of its type enqueued makes the pool claim: it takes the held one again, under a
    // new lease, with the new one.
    const [trigger] = await holding(server, hold, ["c"]);
    await waitFor(() => server.pool.stats().claimedAhead >= 2, { timeout: 30_000 });
    assert.equal((await stored(server, trigger.id)).status, "in-progress");
    // The old claim, queued in the worker, is dropped once the worker says so.
    await waitFor(() => server.pool.stats().claimedAhead === 2, {
      timeout: 30_000,
      message: "the new claim in the old one's place",
    });
    releaseAll(hold);
    await finished(server, first.id);
    await finished(server, trigger.id);
    const done = await finished(server, held.id);
    assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    assert.equal(hold.arrivals("b"), 1, "it ran once");
  } finally {
    releaseAll(hold);
    await server.shutdown();
  }
});
