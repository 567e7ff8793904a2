/**
 * Once a claim finds no more jobs of its worker set's types, the pool does not ask the store
 * again after each outcome: only an announcement of ready jobs (an enqueue here) makes it claim.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("WorkerPool claims once per announcement when the queue is drained, not after each outcome", async () => {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    concurrency: 4,
    claimAhead: 0,
    handlers: [FIXTURES],
    logger: TEST_LOGGER,
  });
  try {
    // The first job starts the worker; from then on, count the claims.
    const [first] = await server.queue.enqueue([{ type: "t-succeeds", payload: { value: 0 } }]);
    await waitFor(async () => (await server.queue.get(first.id))?.status === "completed");
    let claims = 0;
    const claim = server.queue.claim.bind(server.queue);
    server.queue.claim = (...args) => {
      claims++;
      return claim(...args);
    };
    const jobs = 20;
    for (let i = 1; i <= jobs; i++) {
      const [job] = await server.queue.enqueue([{ type: "t-succeeds", payload: { value: i } }]);
      await waitFor(async () => (await server.queue.get(job.id))?.status === "completed", {
        timeout: 30_000,
      });
    }
    // One claim per enqueue (it finds the job, then comes back short); none after outcomes.
    assert.ok(claims <= jobs, `${claims} claims for ${jobs} jobs`);
    assert.ok(claims >= jobs, `${claims} claims for ${jobs} jobs: each enqueue claims`);
  } finally {
    await server.shutdown();
  }
});
