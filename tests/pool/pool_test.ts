/**
 * WorkerPool with real Web Workers and the fixture handlers: success, failure and retry,
 * timeouts, crashes, cancellation, and the worker replacement that follows.
 */

import assert from "node:assert/strict";
import { createServer, type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import type { Job } from "../../queue/job.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { HoldServer } from "../support/hold.ts";
import { waitFor } from "../support/wait.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { captureLog, TEST_LOGGER } from "../support/log_capture.ts";

async function withServer(
  options: ServerOptions,
  body: (server: DenoQueueServer) => Promise<void>,
): Promise<void> {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    concurrency: 4,
    demoSpeed: 0.001,
    killGrace: 100,
    shutdownGrace: 1000,
    handlers: [FIXTURES],
    logger: TEST_LOGGER,
    ...options,
  });
  try {
    await body(server);
  } finally {
    await server.shutdown();
  }
}

async function settled(server: DenoQueueServer, id: string, timeout = 10_000): Promise<Job> {
  return await waitFor(async () => {
    const job = await server.queue.get(id);
    return job && ["completed", "failed", "cancelled"].includes(job.status) ? job : undefined;
  }, { timeout, message: `job ${id} to finish` });
}

async function enqueue(server: DenoQueueServer, type: string, payload: unknown = {}) {
  const [job] = await server.queue.enqueue([{ type, payload }]);
  return job;
}

Deno.test("WorkerPool runs a handler and stores its result, progress and logs", async () => {
  await withServer({}, async (server) => {
    const job = await enqueue(server, "t-succeeds", { value: 21 });
    const done = await settled(server, job.id);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.result, { doubled: 42 });
    assert.equal(done.progress, 100);
    assert.deepEqual(done.logs.map((l) => l.message), ["doubling 21"]);
    assert.equal(done.attempts.length, 1);
    assert.equal(done.attempts[0].outcome, "completed");
    assert.equal(done.attempts[0].workerId, "w1");
  });
});

Deno.test("WorkerPool retries a throwing handler, then fails it with every attempt recorded", async () => {
  await withServer({}, async (server) => {
    const job = await enqueue(server, "t-throws");
    const done = await settled(server, job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts.length, 2);
    for (const attempt of done.attempts) {
      assert.equal(attempt.outcome, "failed");
      assert.equal(attempt.error, "fixture failure");
      assert.match(attempt.stack ?? "", /fixture failure/);
    }
    assert.equal(done.error, "fixture failure");
  });
});

Deno.test("WorkerPool fails an UnrecoverableError at once, whatever attempts remain", async () => {
  await withServer({}, async (server) => {
    const job = await enqueue(server, "t-unrecoverable");
    const done = await settled(server, job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts.length, 1);
    assert.equal(done.error, "cannot ever work");
  });
});

Deno.test("WorkerPool fails another copy's UnrecoverableError at once: known by its name", async () => {
  await withServer({}, async (server) => {
    const job = await enqueue(server, "t-foreign-unrecoverable");
    const done = await settled(server, job.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts.length, 1);
    assert.equal(done.error, "another copy says never");
  });
});

Deno.test("WorkerPool kills a hung handler at its timeout and puts the worker's other jobs back", async () => {
  await using hold = HoldServer.start();
  await withServer({ httpAllow: [hold.allow] }, async (server) => {
    // The others run on the first worker until released, however long the kill takes.
    const keys = ["other-1", "other-2"];
    // Jobs of one sandbox share its workers: t-holds and t-hangs-beside may both reach 127.0.0.1.
    const others = await Promise.all(
      keys.map((key) => enqueue(server, "t-holds", hold.payload(key))),
    );
    await waitFor(() => keys.every((key) => hold.arrivals(key) === 1), {
      message: "the other jobs to run on the first worker",
    });
    const hung = await enqueue(server, "t-hangs-beside");
    const done = await settled(server, hung.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts.length, 1);
    assert.equal(done.attempts[0].outcome, "timeout");
    assert.match(done.error ?? "", /Timed out after 100 ms/);
    await waitFor(() => keys.every((key) => hold.arrivals(key) === 2), {
      message: "the other jobs to run again on the replacement worker",
    });
    for (const key of keys) hold.release(key);
    for (const other of others) {
      const finished = await settled(server, other.id);
      assert.equal(finished.status, "completed");
      // Put back when the worker was killed, without losing an attempt.
      assert.equal(finished.attempts.length, 1);
      assert.equal(finished.attempts[0].workerId, "w2");
    }
    assert.equal(server.pool.stats().size, 1);
  });
});

Deno.test("WorkerPool replaces a worker that dies of an uncaught error and keeps serving", async () => {
  const log = captureLog();
  let crash: Job | undefined;
  await withServer({ logger: log.logger }, async (server) => {
    crash = await enqueue(server, "t-crashes");
    const done = await settled(server, crash.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts[0].outcome, "interrupted");
    assert.match(done.error ?? "", /Worker crashed: uncaught error in worker/);
    const after = await enqueue(server, "t-succeeds", { value: 1 });
    assert.equal((await settled(server, after.id)).status, "completed");
  });
  // The crash is logged with the worker and the job it held.
  const [line] = log.matching(/^Worker w1 crashed: uncaught error in worker/);
  assert.ok(line !== undefined, log.messages().join("\n"));
  assert.equal(line.level, "error");
  assert.equal(line.fields.worker, "w1");
  assert.equal(line.fields.jobId, crash!.id);
  assert.equal(line.fields.type, "t-crashes");
});

Deno.test("WorkerPool replaces a worker whose handler calls close()", async () => {
  await withServer({ logger: captureLog().logger }, async (server) => {
    const closing = await enqueue(server, "t-closes");
    const done = await settled(server, closing.id);
    assert.equal(done.status, "failed");
    assert.equal(done.attempts[0].outcome, "interrupted");
    // Its last word, or its lifeline if that tells first: either way, at once.
    assert.match(
      done.error ?? "",
      /^Worker crashed: (a handler called close\(\)|the worker ended)/,
    );
    const after = await enqueue(server, "t-succeeds", { value: 2 });
    assert.deepEqual((await settled(server, after.id)).result, { doubled: 4 });
  });
});

Deno.test("WorkerPool aborts a cancelled job's signal and the worker carries on", async () => {
  await withServer({}, async (server) => {
    const job = await enqueue(server, "t-waits");
    await waitFor(async () => (await server.queue.get(job.id))?.status === "in-progress");
    const cancelled = await server.queue.cancel(job.id);
    assert.equal(cancelled.status, "cancelled");
    assert.equal(cancelled.attempts[0].outcome, "cancelled");
    await waitFor(() => server.pool.running === 0, { message: "the handler to return" });
    const after = await enqueue(server, "t-succeeds", { value: 3 });
    const done = await settled(server, after.id);
    assert.equal(done.attempts[0].workerId, "w1", "the same worker, not a replacement");
    assert.equal((await server.queue.get(job.id))?.status, "cancelled");
  });
});

Deno.test("WorkerPool kills a cancelled job that ignores its signal after the grace period", async () => {
  await using hold = HoldServer.start();
  await withServer({ httpAllow: [hold.allow] }, async (server) => {
    const [hung] = await server.queue.enqueue([{
      type: "t-hangs-beside",
      payload: {},
      options: { timeout: 60_000 },
    }]);
    const other = await enqueue(server, "t-holds", hold.payload("other"));
    await waitFor(async () => (await server.queue.get(hung.id))?.status === "in-progress");
    await waitFor(() => hold.arrivals("other") === 1, { message: "the other job to start" });
    await server.queue.cancel(hung.id);
    await waitFor(() => hold.arrivals("other") === 2, {
      message: "the other job to run again on the replacement worker",
    });
    hold.release("other");
    const done = await settled(server, other.id);
    assert.equal(done.status, "completed");
    assert.equal(done.attempts.length, 1);
    assert.equal(done.attempts[0].workerId, "w2", "ran again on the replacement worker");
    assert.equal((await server.queue.get(hung.id))?.status, "cancelled");
  });
});

Deno.test("WorkerPool fails a job whose result cannot cross the worker boundary", async () => {
  await withServer({}, async (server) => {
    const job = await enqueue(server, "t-unclonable");
    const done = await settled(server, job.id);
    assert.equal(done.status, "failed");
    assert.match(done.error ?? "", /cannot be sent/);
  });
});

Deno.test("WorkerPool runs up to workers x concurrency jobs at once", async () => {
  await withServer({ workers: 2, concurrency: 3 }, async (server) => {
    const jobs = await server.queue.enqueue(
      Array.from({ length: 8 }, () => ({ type: "t-waits", payload: {} })),
    );
    await waitFor(() => server.pool.running === 6, { message: "six running jobs" });
    const { sandboxes, ...stats } = server.pool.stats();
    assert.deepEqual(stats, {
      size: 2,
      concurrency: 3,
      paused: false,
      busy: 2,
      idle: 0,
      running: 6,
      claimedAhead: 0,
    });
    // Both in the sandbox of t-waits, which declares nothing; no worker for the others.
    assert.deepEqual(
      sandboxes.map(({ permissions, workers, busy }) => ({ permissions, workers, busy })),
      [
        { permissions: "none", workers: 2, busy: 2 },
        { permissions: "net=all", workers: 0, busy: 0 },
        { permissions: "net=127.0.0.1", workers: 0, busy: 0 },
        { permissions: "write=/tmp", workers: 0, busy: 0 },
      ],
    );
    const counts = (await server.queue.stats()).byStatus;
    assert.equal(counts["in-progress"], 6);
    assert.equal(counts.queued, 2);
    for (const job of jobs) await server.queue.cancel(job.id);
  });
});

Deno.test("WorkerPool at shutdown cancels jobs still running in memory mode", async () => {
  const log = captureLog();
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    handlers: [FIXTURES],
    shutdownGrace: 50,
    killGrace: 50,
    logger: log.logger,
  });
  // Still running once kill-grace is over too (one that honours its signal ends as it decides).
  const job = await enqueue(server, "t-ignores");
  await waitFor(async () => (await server.queue.get(job.id))?.status === "in-progress");
  await server.shutdown();
  const after = await server.queue.store.get({ id: job.id });
  assert.equal(after?.status, "cancelled");
  assert.match(after?.error ?? "", /shutdown/);
  const [cancelled] = log.matching(/Cancelled 1 unfinished job/);
  assert.ok(cancelled !== undefined, log.messages().join("\n"));
  assert.equal(cancelled.fields.jobId, job.id);
});
