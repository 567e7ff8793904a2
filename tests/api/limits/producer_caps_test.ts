/**
 * The caps on open producer sockets, per client address (429) and in all (503), each with
 * Retry-After in the one error shape; a closed socket gives its place back.
 */

import assert from "node:assert/strict";
import type { DenoQueueServer, ServerOptions } from "../../../api/server.ts";
import { assertErrorShape, withListening as listening } from "../../support/api_server.ts";
import { waitFor, within } from "../../support/wait.ts";

function withListening(
  options: ServerOptions,
  test: (port: number, server: DenoQueueServer) => Promise<void>,
): Promise<void> {
  return listening(options, (_url, _api, server, port) => test(port, server));
}

/** Opens a producer socket and waits until it is open. */
async function open(port: number): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/producer`);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  return socket;
}

async function close(socket: WebSocket): Promise<void> {
  const closed = new Promise((resolve) => socket.onclose = resolve);
  socket.close();
  await closed;
}

/** Asks for a socket by hand and returns the refusal: status line, headers and JSON body. */
async function refusal(port: number) {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await connection.write(new TextEncoder().encode(
      `GET /api/producer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    ));
    let text = "";
    const buffer = new Uint8Array(4096);
    const complete = () => {
      const end = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text);
      return end !== -1 && length !== null && text.length >= end + 4 + Number(length[1]);
    };
    while (!complete()) {
      const read = await within(connection.read(buffer), "the refusal");
      if (read === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, read));
    }
    const [head, body] = text.split("\r\n\r\n");
    return { head, body: JSON.parse(body) };
  } finally {
    connection.close();
  }
}

Deno.test("GET /api/producer past --max-producer-sockets-per-client answers 429 with Retry-After", async () => {
  await withListening({ maxProducerSocketsPerClient: 2 }, async (port, server) => {
    const sockets = [await open(port), await open(port)];
    const refused = await refusal(port);
    assert.match(refused.head, /^HTTP\/1\.1 429 /);
    assert.match(refused.head, /\r\nretry-after: 1\r\n/i);
    assertErrorShape(refused.body);
    assert.equal(refused.body.error.code, "too_many_sockets");
    assert.deepEqual(refused.body.error.details, { limit: 2, retryAfterSeconds: 1 });
    assert.match(refused.body.error.message, /2 producer sockets from 127\.0\.0\.1 are open/);
    await close(sockets[0]);
    await waitFor(() => server.producers.slots.size === 1, { message: "the socket's place back" });
    sockets[0] = await open(port);
    await Promise.all(sockets.map(close));
  });
});

Deno.test("GET /api/producer past --max-producer-sockets answers 503 server_busy", async () => {
  await withListening({ maxProducerSockets: 1 }, async (port) => {
    const socket = await open(port);
    const refused = await refusal(port);
    assert.match(refused.head, /^HTTP\/1\.1 503 /);
    assert.equal(refused.body.error.code, "server_busy");
    assert.deepEqual(refused.body.error.details, { limit: 1, retryAfterSeconds: 1 });
    await close(socket);
  });
});
