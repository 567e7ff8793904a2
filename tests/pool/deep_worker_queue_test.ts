/**
 * Workers of quick jobs hold up to `MIN_WAITING` (16) jobs waiting whatever their places (see
 * `handOutRoom`): one worker of one place, warmed up to a pace of 128 quick jobs or more, then
 * handed a slow job and many quick ones in one claim. The quick ones waiting behind the slow
 * one are not timed while they wait, are counted as claimed ahead as the store holds them, and
 * go back to the queue without an attempt when cancelled, paused, or their worker crashes.
 */

import assert from "node:assert/strict";
import { createServer, type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import type { Job, JobOptions } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { MIN_WAITING } from "../../queue/pool/worker_queue.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { finished, stored } from "../support/claim_ahead.ts";
import { HoldServer } from "../support/hold.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

const WAIT = { timeout: 30_000 };
/** Quick jobs behind the slow one: the worker's 16 waiting, and 4 more held by the pool. */
const BEHIND = MIN_WAITING + 4;

/** A quick `t-holds` job: its key released before it runs. */
function quickHold(hold: HoldServer, key: string, options = {}) {
  hold.release(key);
  return { type: "t-holds", payload: hold.payload(key), options };
}

/** One worker of one place, claiming ahead by a pace that counts for a minute, on `store`. */
function deepOptions(hold: HoldServer, store: Store, shutdownGrace: number): ServerOptions {
  return {
    store,
    workers: 1,
    concurrency: 1,
    claimAhead: 256,
    claimAheadPaceMs: 60_000,
    handlers: [FIXTURES],
    httpAllow: [hold.allow],
    killGrace: 200,
    shutdownGrace,
    logger: TEST_LOGGER,
  };
}

/**
 * One worker of one place per sandbox; those of `t-holds` (and `t-hangs-beside`) at the pace of
 * 130 quick jobs (an eighth: 16 waiting), those of the plain sandbox (`t-succeeds`,
 * `t-crashes`) too.
 */
async function deepServer(hold: HoldServer): Promise<DenoQueueServer> {
  const server = await createServer(deepOptions(hold, new MemoryStore(), 100));
  const warm = await server.queue.enqueue([
    ...Array.from({ length: 130 }, (_, value) => ({ type: "t-succeeds", payload: { value } })),
    ...Array.from({ length: 130 }, (_, i) => quickHold(hold, `warm${i}`)),
  ]);
  for (const job of warm) await finished(server, job.id);
  return server;
}

/** A slow `t-holds` job, then `BEHIND` quick ones with `timeout`, in one claim. */
async function slowThenQuick(
  server: DenoQueueServer,
  hold: HoldServer,
  timeout = 60_000,
): Promise<[Job, Job[]]> {
  const [slow, ...quick] = await server.queue.enqueue([
    { type: "t-holds", payload: hold.payload("slow") },
    ...Array.from(
      { length: BEHIND },
      (_, i) => quickHold(hold, `q${i}`, { timeout, maxAttempts: 1 }),
    ),
  ]);
  await waitFor(() => hold.arrivals("slow") === 1, WAIT);
  await waitFor(() => {
    const stats = server.pool.stats();
    return stats.running === 1 && stats.claimedAhead === BEHIND;
  }, { ...WAIT, message: `1 running, ${BEHIND} ahead: ${JSON.stringify(server.pool.stats())}` });
  return [slow, quick];
}

/** Jobs in progress in the store. */
async function inProgress(server: DenoQueueServer): Promise<number> {
  return (await server.queue.store.counts()).byStatus["in-progress"];
}

/**
 * Runs `test` on a warmed-up {@linkcode deepServer} holding a slow job and `BEHIND` quick ones
 * (see {@linkcode slowThenQuick}); the slow one is released and the server shut down after.
 */
async function behindSlow(
  test: (server: DenoQueueServer, hold: HoldServer, slow: Job, quick: Job[]) => Promise<void>,
  timeout?: number,
): Promise<void> {
  await using hold = HoldServer.start();
  const server = await deepServer(hold);
  try {
    const [slow, quick] = await slowThenQuick(server, hold, timeout);
    await test(server, hold, slow, quick);
  } finally {
    hold.release("slow");
    await server.shutdown();
  }
}

Deno.test("deep worker queue: 16 quick jobs waiting behind a slow one do not time out while they wait", () =>
  behindSlow(async (server, hold, slow, quick) => {
    assert.equal(await inProgress(server), 1 + BEHIND, "running and claimed ahead as stored");
    const handedAt = Date.now();
    await waitFor(() => Date.now() > handedAt + 1_500, WAIT);
    const releasedAt = Date.now();
    hold.release("slow");
    assert.equal((await finished(server, slow.id)).status, "completed");
    for (const job of quick) {
      const done = await finished(server, job.id);
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
      assert.ok(done.attempts[0].startedAt >= releasedAt, "its attempt starts when it starts");
    }
    await waitFor(() => {
      const stats = server.pool.stats();
      return stats.running === 0 && stats.claimedAhead === 0;
    }, WAIT);
    assert.equal(await inProgress(server), 0);
  }, 500));

Deno.test("deep worker queue: a job cancelled deep in its worker's queue never runs, the others do", () =>
  behindSlow(async (server, hold, slow, quick) => {
    const cancelled = [quick[3], quick[9], quick[15]];
    for (const job of cancelled) await server.queue.cancel(job.id);
    await waitFor(() => server.pool.stats().claimedAhead === BEHIND - cancelled.length, {
      ...WAIT,
      message: `cancelled jobs dropped: ${JSON.stringify(server.pool.stats())}`,
    });
    assert.equal(await inProgress(server), 1 + BEHIND - cancelled.length);
    hold.release("slow");
    assert.equal((await finished(server, slow.id)).status, "completed");
    for (const job of quick) {
      if (cancelled.includes(job)) continue;
      const done = await finished(server, job.id);
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    }
    for (const job of cancelled) assert.equal((await stored(server, job.id)).status, "cancelled");
    for (const i of [3, 9, 15]) assert.equal(hold.arrivals(`q${i}`), 0, `q${i} never ran`);
  }));

Deno.test("deep worker queue: pause takes all 16 back unattempted; resume runs each once", () =>
  behindSlow(async (server, hold, slow, quick) => {
    server.pool.pause();
    await waitFor(() => server.pool.stats().claimedAhead === 0, WAIT);
    for (const job of quick) {
      await waitFor(async () => (await stored(server, job.id)).status === "queued", WAIT);
      assert.deepEqual((await stored(server, job.id)).attempts, []);
    }
    assert.equal(await inProgress(server), 1);
    hold.release("slow");
    await finished(server, slow.id);
    server.pool.resume();
    for (const job of quick) {
      const done = await finished(server, job.id);
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    }
  }));

/**
 * `bad` (a job that ends its worker) ahead of `BEHIND` quick ones with `options`, in one claim:
 * it ends with `outcome`, and each quick one completes in one attempt (none was counted while
 * it waited in the worker that ended).
 */
async function badAheadOfQuick(
  hold: HoldServer,
  bad: { type: string; options?: JobOptions },
  outcome: string,
  options: JobOptions,
): Promise<void> {
  const server = await deepServer(hold);
  try {
    const [first, ...quick] = await server.queue.enqueue([
      { type: bad.type, payload: {}, options: bad.options },
      ...Array.from({ length: BEHIND }, (_, value) => ({
        type: "t-succeeds",
        payload: { value },
        options,
      })),
    ]);
    const ended = await finished(server, first.id);
    assert.deepEqual(ended.attempts.map((attempt) => attempt.outcome), [outcome]);
    for (const job of quick) {
      const done = await finished(server, job.id);
      assert.deepEqual(done.attempts.map((attempt) => attempt.outcome), ["completed"]);
    }
  } finally {
    await server.shutdown();
  }
}

Deno.test("deep worker queue: a crash puts the 16 waiting back unattempted, each then runs once", async () => {
  await using hold = HoldServer.start();
  await badAheadOfQuick(hold, { type: "t-crashes" }, "interrupted", { maxAttempts: 1 });
});

Deno.test("deep worker queue: a hanging job is killed, the 16 behind it run once each, unattempted before", async () => {
  await using hold = HoldServer.start();
  await badAheadOfQuick(
    hold,
    { type: "t-hangs", options: { maxAttempts: 1, timeout: 300 } },
    "timeout",
    { maxAttempts: 1, timeout: 300 },
  );
});

Deno.test("deep worker queue: shutdown puts the 16 waiting back unattempted while the slow one finishes (SQLite)", async () => {
  await using hold = HoldServer.start();
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-deep-" })}/jobs.db`;
  const server = await createServer(deepOptions(hold, SqliteStore.open(path), 30_000));
  const keys = Array.from({ length: BEHIND }, (_, i) => `x${i}`);
  let ids: string[] = [];
  try {
    const warm = await server.queue.enqueue(
      Array.from({ length: 130 }, (_, i) => quickHold(hold, `warm${i}`)),
    );
    for (const job of warm) await finished(server, job.id);
    const [slow, ...behind] = await server.queue.enqueue(
      ["slow", ...keys].map((key) => ({ type: "t-holds", payload: hold.payload(key) })),
    );
    ids = behind.map((job) => job.id);
    await waitFor(() => {
      const stats = server.pool.stats();
      return hold.arrivals("slow") === 1 && stats.claimedAhead === BEHIND;
    }, WAIT);
    const stopped = server.shutdown();
    await waitFor(() => server.pool.stats().claimedAhead === 0, WAIT);
    hold.release("slow");
    await stopped;
    ids.unshift(slow.id);
  } finally {
    for (const key of ["slow", ...keys]) hold.release(key);
    await server.shutdown();
  }
  const store = SqliteStore.open(path);
  try {
    const [slow, ...behind] = await Promise.all(ids.map((id) => store.get({ id })));
    assert.deepEqual(slow?.attempts.map((attempt) => attempt.outcome), ["completed"]);
    for (const job of behind) {
      assert.equal(job?.status, "queued");
      assert.deepEqual(job?.attempts, [], "no attempt counted");
    }
    for (const key of keys) assert.equal(hold.arrivals(key), 0, `${key} never ran`);
  } finally {
    await store.close();
  }
});
