/**
 * What a worker shares with the server's process without a permission check, on a real
 * `main.ts` started with a master key on its command line: a handler that declares nothing
 * reads no argument of it (not `Deno.args`, not `process.argv`, not Deno's bootstrap copy),
 * cannot write the Cache API's files, and cannot open a broadcast channel to the other threads.
 */

import assert from "node:assert/strict";
import { startService } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";

const REACHES = new URL("../fixtures/sandbox/reaches_process.ts", import.meta.url).pathname;
const MASTER = `sandbox-master-key-${crypto.randomUUID()}`;

Deno.test("A sandboxed handler reads none of the server's arguments, caches or channels", async () => {
  const service = await startService(["--master-key", MASTER, "--handlers", REACHES]);
  const headers = { authorization: `Bearer ${MASTER}`, "content-type": "application/json" };
  try {
    const created = await fetch(`${service.url}/api/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ type: "s-reaches-process", payload: {} }),
    });
    assert.equal(created.status, 201);
    const { id } = await created.json();
    const job = await waitFor(async () => {
      const answer = await fetch(`${service.url}/api/jobs/${id}`, { headers });
      const body = await answer.json();
      return body.status === "completed" || body.status === "failed" ? body : undefined;
    }, { message: `job ${id} to end` });
    assert.equal(job.status, "completed", JSON.stringify(job));
    assert.ok(!JSON.stringify(job.result).includes(MASTER), JSON.stringify(job.result));
    assert.deepEqual(job.result.args, { got: [] });
    assert.deepEqual(job.result.argv, { got: [] });
    assert.deepEqual(job.result.bootstrap, { got: [] });
    assert.match(job.result.cache.refused, /^TypeError: Handler code cannot use the Cache API/);
    assert.match(
      job.result.broadcast.refused,
      /^TypeError: Handler code cannot open a BroadcastChannel/,
    );
  } finally {
    service.child.kill("SIGTERM");
    await service.exited;
  }
});
