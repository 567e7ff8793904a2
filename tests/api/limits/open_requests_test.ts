/**
 * The cap on requests in progress, over real sockets: per client address (429) and in all
 * (503), each with Retry-After in the one error shape; a slot is held until the answer is sent
 * (an event stream until it ends) and given back then; behind a trusted proxy the client is
 * the one `X-Forwarded-For` names, and a client cannot name itself to escape its cap.
 */

import assert from "node:assert/strict";
import type { DenoQueueServer, ServerOptions } from "../../../api/server.ts";
import { assertError, withListening as listening } from "../../support/api_server.ts";
import { waitFor } from "../../support/wait.ts";

function withListening(
  options: ServerOptions,
  test: (url: string, server: DenoQueueServer) => Promise<void>,
): Promise<void> {
  return listening(options, (url, _api, server) => test(url, server));
}

/** Opens the event stream (a request that stays in progress) and waits for its first bytes. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/api/events`, { headers });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  await reader.read();
  return { close: () => reader.cancel() };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/api/stats`, { headers });
  const body = await response.json();
  return { status: response.status, headers: response.headers, body };
}

Deno.test("Requests past --max-requests-per-client get 429 with Retry-After until one ends", async () => {
  await withListening({ maxRequestsPerClient: 2 }, async (url, server) => {
    const streams = [await openStream(url), await openStream(url)];
    assert.equal(server.requests.heldBy("127.0.0.1"), 2);
    const refused = await get(url);
    const details = assertError(refused, 429, "too_many_requests");
    assert.deepEqual(details, { limit: 2, retryAfterSeconds: 1 });
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match(refused.body.error.message, /2 requests from 127\.0\.0\.1 are in progress/);
    await streams[0].close();
    await waitFor(() => server.requests.size === 1, { message: "the stream's slot back" });
    assert.equal((await get(url)).status, 200);
    await streams[1].close();
    await waitFor(() => server.requests.size === 0, { message: "every slot back" });
  });
});

Deno.test("Requests past --max-requests get 503 server_busy with Retry-After", async () => {
  await withListening({ maxRequests: 1, maxRequestsPerClient: 5 }, async (url, server) => {
    const stream = await openStream(url);
    const refused = await get(url);
    assert.deepEqual(assertError(refused, 503, "server_busy"), { limit: 1, retryAfterSeconds: 1 });
    assert.equal(refused.headers.get("retry-after"), "1");
    await stream.close();
    await waitFor(() => server.requests.size === 0, { message: "the slot back" });
    assert.equal((await get(url)).status, 200);
    await waitFor(() => server.requests.size === 0, {
      message: "the answered request's slot back",
    });
  });
});

Deno.test("A spoofed X-Forwarded-For from an untrusted peer does not escape its cap", async () => {
  await withListening({ maxRequestsPerClient: 1 }, async (url, server) => {
    const stream = await openStream(url, { "x-forwarded-for": "203.0.113.1" });
    assert.equal(server.requests.heldBy("127.0.0.1"), 1);
    const spoofed = await get(url, { "x-forwarded-for": "203.0.113.2" });
    assertError(spoofed, 429, "too_many_requests");
    await stream.close();
  });
});

Deno.test("Behind a trusted proxy (--trust-proxy) each forwarded client has its own cap", async () => {
  await withListening(
    { maxRequestsPerClient: 1, trustProxy: ["loopback"] },
    async (url, server) => {
      const stream = await openStream(url, { "x-forwarded-for": "203.0.113.1" });
      assert.equal(server.requests.heldBy("203.0.113.1"), 1);
      assert.equal(server.requests.heldBy("127.0.0.1"), 0);
      assert.equal((await get(url, { "x-forwarded-for": "203.0.113.2" })).status, 200);
      // The client's own header on the left is not believed: the proxy's entry is rightmost.
      const again = await get(url, { "x-forwarded-for": "198.51.100.9, 203.0.113.1" });
      const details = assertError(again, 429, "too_many_requests");
      assert.equal(details.limit, 1);
      assert.match(again.body.error.message, /from 203\.0\.113\.1/);
      await stream.close();
    },
  );
});

Deno.test("A small body cut off by --body-timeout keeps its slot until its client leaves", async () => {
  await withListening({ maxRequestsPerClient: 1, bodyTimeout: 200 }, async (url, server) => {
    const { port } = new URL(url);
    const connection = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    try {
      await connection.write(new TextEncoder().encode(
        `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":',
      ));
      const buffer = new Uint8Array(4096);
      const read = await connection.read(buffer);
      const answer = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"code":"request_timeout"/);
      // Deno reads the rest of it on: the client still holds its one slot.
      assertError(await get(url), 429, "too_many_requests");
      assert.equal(server.requests.heldBy("127.0.0.1"), 1);
    } finally {
      connection.close();
    }
    await waitFor(() => server.requests.size === 0, { message: "the slot back once it left" });
    assert.equal((await get(url)).status, 200);
  });
});
