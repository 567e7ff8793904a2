/**
 * `POST /api/jobs?wait=` ends when its client disconnects: the request's signal aborts, and
 * the waiter and its timer go at once instead of when the wait would have run out.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { TEST_SERVER_OPTIONS } from "../support/api_server.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("POST /api/jobs?wait=60000 frees its waiter at once when the client disconnects", async () => {
  const server = await createServer({ store: new MemoryStore(), ...TEST_SERVER_OPTIONS, port: 0 });
  try {
    const { port } = await server.listen();
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    // A job that runs until it is aborted: only the client's leaving can end this wait early.
    const body = JSON.stringify({ type: "t-waits", payload: {} });
    await connection.write(new TextEncoder().encode(
      `POST /api/jobs?wait=60000 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ));
    await waitFor(() => server.queue.finalWaits === 1, { message: "the wait to begin" });
    assert.equal(server.requests.size, 1);
    connection.close();
    await waitFor(() => server.queue.finalWaits === 0, {
      timeout: 5_000,
      message: "the waiter to go with its client",
    });
    await waitFor(() => server.requests.size === 0, {
      timeout: 5_000,
      message: "the request's slot back",
    });
  } finally {
    await server.shutdown();
  }
});
