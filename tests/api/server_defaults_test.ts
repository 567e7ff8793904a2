/**
 * `createServer()` as a library starts like the service: durable by default, in
 * `./data/denoqueue.db` of the current directory.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";

Deno.test("createServer() without a store keeps jobs in ./data/denoqueue.db, as the service does", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-library-" });
  const before = Deno.cwd();
  Deno.chdir(dir);
  let id: string;
  try {
    const server = await createServer({ workers: 1, logger: TEST_LOGGER });
    try {
      server.pool.pause();
      [{ id }] = await server.queue.enqueue([{ type: "noop", payload: {} }]);
      assert.equal(server.queue.store.durable, true);
    } finally {
      await server.shutdown();
    }
  } finally {
    Deno.chdir(before);
  }
  const store = SqliteStore.open(`${dir}/data/denoqueue.db`);
  try {
    assert.equal((await store.get({ id }))?.status, "queued", "kept across the stop");
  } finally {
    await store.close();
  }
});
