/**
 * The producer socket with authentication on, over real sockets: a key on the upgrade (header
 * or session cookie) or as the first message, producer or admin only, refusals in the API's
 * error shape before the socket closes (1008), and a socket whose key is revoked answered and
 * closed at once.
 */

import assert from "node:assert/strict";
import { Producer, ProducerError } from "../../../api/client/producer.ts";
import type { DenoQueueServer, ServerOptions } from "../../../api/server.ts";
import { ApiClient, withListening as listening } from "../../support/api_server.ts";
import { bearer, makeKey, MASTER_KEY } from "../../support/auth.ts";
import { waitFor, within } from "../../support/wait.ts";

/** A listening server with a master key on a free port, shut down after `test`. */
function withListening(
  options: ServerOptions,
  test: (url: string, api: ApiClient, server: DenoQueueServer) => Promise<void>,
): Promise<void> {
  return listening({ masterKey: MASTER_KEY, ...options }, test);
}

/** Opens a raw socket (Deno's WebSocket takes headers), collecting messages and the close. */
async function open(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(`${url.replace("http", "ws")}/api/producer`, { headers });
  const messages: Record<string, unknown>[] = [];
  socket.onmessage = (event) => messages.push(...[JSON.parse(event.data)].flat());
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  return { socket, messages, closed };
}

/** What an upgrade answers before any WebSocket: its status and error code. */
async function upgradeStatus(url: string, headers: Record<string, string>) {
  const response = await fetch(`${url}/api/producer`, {
    headers: {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...headers,
    },
  });
  const body = await response.json();
  return [response.status, body.error?.code];
}

Deno.test("Producer socket: a producer key on the upgrade, as a header or the session cookie, enqueues", async () => {
  await withListening({}, async (url, api) => {
    const { secret } = await makeKey(api, "producer");
    const ways: Record<string, string>[] = [
      { authorization: `Bearer ${secret}` },
      { cookie: `denoqueue_session=${secret}` },
    ];
    for (const headers of ways) {
      const { socket, messages } = await open(url, headers);
      socket.send(JSON.stringify({ ref: 1, job: { type: "noop" } }));
      const answer = await waitFor(() => messages[0], { message: "an answer" });
      assert.equal((answer.job as { type: string }).type, "noop", JSON.stringify(answer));
      socket.close();
    }
  });
});

Deno.test("Producer socket: a bad key on the upgrade is 401 and a viewer's 403, before any socket", async () => {
  await withListening({}, async (url, api) => {
    const viewer = await makeKey(api, "viewer");
    assert.deepEqual(await upgradeStatus(url, { authorization: "Bearer dq_nonsense" }), [
      401,
      "unauthorized",
    ]);
    assert.deepEqual(
      await upgradeStatus(url, { authorization: `Bearer ${viewer.secret}` }),
      [403, "forbidden"],
    );
  });
});

Deno.test("Producer.connect({ key }) sends the key as the first message, then enqueues", async () => {
  await withListening({}, async (url, api) => {
    const { secret } = await makeKey(api, "producer");
    const producer = await Producer.connect(url, { key: secret });
    try {
      const job = await producer.add("noop", null);
      assert.equal(
        (await api.send("GET", `/api/jobs/${job.id}`, undefined, bearer(secret))).status,
        200,
      );
    } finally {
      await producer.close();
    }
  });
});

Deno.test("Producer socket: no key, a wrong key, or a viewer's as the first message is refused and closed (1008)", async () => {
  await withListening({}, async (url, api, server) => {
    const viewer = await makeKey(api, "viewer");
    const cases: [unknown, number, string][] = [
      [{ ref: 1, job: { type: "noop" } }, 401, "unauthorized"],
      [{ kind: "auth", key: "dq_0123456789abcdef_" + "A".repeat(43) }, 401, "unauthorized"],
      [{ kind: "auth", key: viewer.secret }, 403, "forbidden"],
    ];
    for (const [first, status, code] of cases) {
      const { socket, messages, closed } = await open(url);
      socket.send(JSON.stringify(first));
      // A request right behind the key waits for it, and is dropped with the socket.
      socket.send(JSON.stringify({ ref: 2, job: { type: "noop" } }));
      const close = await within(closed, "the close");
      assert.equal(close.code, 1008);
      assert.equal(messages.length, 1, JSON.stringify(messages));
      assert.equal(messages[0].ref, null);
      assert.equal(messages[0].status, status);
      assert.equal((messages[0].error as { code: string }).code, code);
    }
    assert.deepEqual(await server.queue.list({ limit: 10 }), [], "nothing was enqueued");
    await assert.rejects(
      Producer.connect(url, { key: viewer.secret }),
      (error) => error instanceof ProducerError && error.status === 403,
    );
  });
});

Deno.test("Producer socket: a socket that sends no key in time is closed", async () => {
  await withListening({ socketKeyTimeout: 100 }, async (url) => {
    const { messages, closed } = await open(url);
    const close = await within(closed, "the close");
    assert.equal(close.code, 1008);
    assert.equal((messages[0]?.error as { code: string }).code, "unauthorized");
  });
});

Deno.test("Producer socket: revoking its key answers what is in flight, says why and closes it at once", async () => {
  await withListening({}, async (url, api, server) => {
    const made = await makeKey(api, "producer");
    const producer = await Producer.connect(url, { key: made.secret });
    await producer.add("noop", null);
    const revoke = await api.send(
      "DELETE",
      `/api/keys/${made.key.id}`,
      undefined,
      bearer(MASTER_KEY),
    );
    assert.equal(revoke.status, 200);
    await assert.rejects(
      producer.add("noop", null),
      (error) => error instanceof ProducerError && /revoked/.test(error.message),
    );
    await waitFor(() => server.producers.size === 0, { message: "the socket closed" });
    await producer.close();
  });
});

Deno.test("Producer socket: a key revoked by another process sharing the store closes it within the recheck", async () => {
  await withListening({ keyRecheckEvery: 50 }, async (url, api, server) => {
    const made = await makeKey(api, "producer");
    const producer = await Producer.connect(url, { key: made.secret });
    // Another process: a revocation written to the store, not through this server.
    const { ApiKeys } = await import("../../../queue/keys/api_keys.ts");
    await new ApiKeys({ store: server.queue.store }).revoke(made.key.id);
    await waitFor(() => server.producers.size === 0, {
      timeout: 5_000,
      message: "the socket closed",
    });
    await producer.close();
  });
});
