/**
 * `DenoQueueServer.shutdown()` never waits without a bound: jobs get kill-grace once their
 * signals abort and then lose their workers, the store closes only after every store call in
 * progress, and a client that never finishes its request does not hold the shutdown up.
 * @module
 */

import assert from "node:assert/strict";
import { createServer, type ServerOptions } from "../../api/server.ts";
import type { Job } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { recordStore } from "../support/recording_store.ts";
import { afterQueuedCallbacks, waitFor, within } from "../support/wait.ts";
import { captureLog } from "../support/log_capture.ts";

/** A server of one worker on the fixtures, its log lines kept. */
async function start(store: Store, options: ServerOptions = {}) {
  const log = captureLog();
  const server = await createServer({
    workers: 1,
    concurrency: 4,
    handlers: [FIXTURES],
    store,
    shutdownGrace: 50,
    killGrace: 1_500,
    logger: log.logger,
    ...options,
  });
  const running = async (type: string): Promise<Job> => {
    const [job] = await server.queue.enqueue([{ type, payload: {} }]);
    await waitFor(async () => (await server.queue.get(job.id))?.status === "in-progress", {
      message: `${type} to run`,
    });
    return job;
  };
  return { server, lines: () => log.messages(), running };
}

Deno.test("DenoQueueServer.shutdown() gives aborted jobs kill-grace, then puts back those that ignore it (SQLite)", async () => {
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-shutdown-" })}/jobs.db`;
  const { server, lines, running } = await start(SqliteStore.open(path));
  const ignores = await running("t-ignores");
  const windsDown = await running("t-winds-down");
  await within(server.shutdown(), "shutdown");
  const store = SqliteStore.open(path);
  try {
    const finished = await store.get({ id: windsDown.id });
    assert.equal(finished?.status, "completed", "its outcome within kill-grace is recorded");
    assert.deepEqual(finished?.result, { stoppedBy: "The service is shutting down" });
    const putBack = await store.get({ id: ignores.id });
    assert.equal(putBack?.status, "queued", "its worker was ended and the job put back");
    assert.equal(putBack?.attempts.length, 0, "without losing an attempt");
    assert.ok(lines().includes("Put 1 unfinished job(s) back in the queue"), lines().join("\n"));
  } finally {
    await store.close();
  }
});

Deno.test("DenoQueueServer.shutdown() puts back a job that throws once aborted, without losing an attempt", async () => {
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-shutdown-" })}/jobs.db`;
  const { server, running } = await start(SqliteStore.open(path));
  const stopped = await running("t-waits"); // rejects with the signal's reason once it aborts
  await within(server.shutdown(), "shutdown");
  const store = SqliteStore.open(path);
  try {
    const job = await store.get({ id: stopped.id });
    assert.equal(job?.status, "queued", "stopped by the shutdown, not failed");
    assert.equal(job?.attempts.length, 0, "without losing an attempt");
  } finally {
    await store.close();
  }
});

Deno.test("DenoQueueServer.shutdown() gives aborted jobs kill-grace, then cancels those that ignore it (memory)", async () => {
  const store = new MemoryStore();
  const { server, lines, running } = await start(store);
  const ignores = await running("t-ignores");
  const windsDown = await running("t-winds-down");
  await within(server.shutdown(), "shutdown");
  const finished = await store.get({ id: windsDown.id });
  assert.equal(finished?.status, "completed", "its outcome within kill-grace is recorded");
  const cancelled = await store.get({ id: ignores.id });
  assert.equal(cancelled?.status, "cancelled");
  assert.match(cancelled?.error ?? "", /shutdown/);
  assert.ok(lines().some((line) => /Cancelled 1 unfinished job/.test(line)), lines().join("\n"));
});

Deno.test("DenoQueueServer.shutdown() closes the store only once a lease renewal in progress ends", async () => {
  const recorded = recordStore(new MemoryStore());
  // A lease of 300 ms is renewed every 100 ms.
  const { server, running } = await start(recorded.store, { lease: 300, killGrace: 50 });
  await running("t-waits");
  const held = recorded.hold("renewLeases");
  await within(held.reached, "a lease renewal");
  const shutdown = server.shutdown();
  // The pool has ended its workers: all that is left before the store closes is to wait.
  await waitFor(() => server.pool.stats().idle + server.pool.stats().busy === 0, {
    message: "the pool to end its workers",
  });
  await afterQueuedCallbacks();
  assert.ok(!recorded.calls.includes("close"), `store closed too early: ${recorded.calls}`);
  held.release();
  await within(shutdown, "shutdown");
  const renewed = recorded.calls.indexOf("renewLeases:end");
  assert.ok(renewed >= 0 && renewed < recorded.calls.indexOf("close"), recorded.calls.join(" "));
  assert.deepEqual(recorded.callsAfterClose, []);
});

Deno.test("DenoQueueServer.shutdown() stops waiting after close-grace for a request whose body never ends", async () => {
  const { server, lines } = await start(new MemoryStore(), { port: 0, closeGrace: 100 });
  const { port } = await server.listen();
  const connection = await Deno.connect({ port });
  try {
    // 100 bytes announced, 3 sent: the server answers at once, then waits for the rest.
    await connection.write(new TextEncoder().encode(
      `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: text/plain\r\n` +
        `Content-Length: 100\r\n\r\nabc`,
    ));
    const answer = new Uint8Array(4096);
    const read = await within(connection.read(answer), "the answer");
    assert.match(new TextDecoder().decode(answer.subarray(0, read ?? 0)), /^HTTP\/1\.1 415/);
    await within(server.shutdown(), "shutdown");
    assert.ok(lines().some((line) => /HTTP connections still open after 100 ms/.test(line)));
    assert.equal(lines().at(-1), "Stopped");
  } finally {
    connection.close();
  }
});
