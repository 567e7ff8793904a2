/**
 * `DenoQueueServer.shutdown()` closes the store only after every store call in progress.
 * @module
 */

import assert from "node:assert/strict";
import { createServer, type ServerOptions } from "../../api/server.ts";
import type { Job } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { recordStore } from "../support/recording_store.ts";
import { afterQueuedCallbacks, waitFor, within } from "../support/wait.ts";

/** A server of one worker on the fixtures, its log lines kept. */
async function start(store: Store, options: ServerOptions = {}) {
  const lines: string[] = [];
  const server = await createServer({
    workers: 1,
    concurrency: 4,
    handlers: [FIXTURES],
    store,
    shutdownGrace: 50,
    killGrace: 1_500,
    log: (line) => lines.push(line),
    ...options,
  });
  const running = async (type: string): Promise<Job> => {
    const [job] = await server.queue.enqueue([{ type, payload: {} }]);
    await waitFor(async () => (await server.queue.get(job.id))?.status === "in-progress", {
      message: `${type} to run`,
    });
    return job;
  };
  return { server, lines, running };
}

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
