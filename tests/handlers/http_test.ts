/**
 * The built-in `http` job type against a local server: 2xx succeeds, non-2xx fails with the
 * status in the error.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { APP_REQUEST_HOSTS } from "../support/api_server.ts";
import { waitFor } from "../support/wait.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";

Deno.test("http handler calls the URL, succeeds on 2xx and fails with the status otherwise", async () => {
  const received: { method: string; body: string; type: string | null }[] = [];
  const target = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push({
      method: req.method,
      body: await req.text(),
      type: req.headers.get("content-type"),
    });
    return new URL(req.url).pathname === "/ok"
      ? new Response("thanks")
      : new Response("nope", { status: 500, statusText: "Internal Server Error" });
  });
  const base = `http://127.0.0.1:${target.addr.port}`;
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    allowedHosts: APP_REQUEST_HOSTS,
    logger: TEST_LOGGER,
  });
  try {
    const [ok, bad] = await server.queue.enqueue([
      { type: "http", payload: { url: `${base}/ok`, body: { hello: "world" } } },
      {
        type: "http",
        payload: { url: `${base}/broken`, method: "PUT", body: "raw" },
        options: { maxAttempts: 1 },
      },
    ]);
    const done = await waitFor(async () => {
      const job = await server.queue.get(ok.id);
      return job?.status === "completed" ? job : undefined;
    });
    assert.deepEqual(done.result, { status: 200, body: "thanks" });
    const failed = await waitFor(async () => {
      const job = await server.queue.get(bad.id);
      return job?.status === "failed" ? job : undefined;
    });
    assert.match(failed.error ?? "", /PUT .*\/broken answered 500/);
    const post = received.find((r) => r.method === "POST");
    assert.deepEqual(post, { method: "POST", body: '{"hello":"world"}', type: "application/json" });
    assert.ok(received.some((r) => r.method === "PUT" && r.body === "raw"));
  } finally {
    await server.shutdown();
    await target.shutdown();
  }
});

Deno.test("http handler payload is validated at enqueue", async () => {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    allowedHosts: APP_REQUEST_HOSTS,
    logger: TEST_LOGGER,
  });
  try {
    const response = await server.app.request("/api/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "http", payload: { url: "ftp://example.com" } }),
    });
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.equal(body.error.code, "invalid_payload");
    assert.equal(body.error.details.field, "payload.url");
  } finally {
    await server.shutdown();
  }
});
