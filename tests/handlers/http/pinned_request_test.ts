/**
 * The pinned request: it connects to the destination's checked addresses, whatever the URL's
 * host, one after the other until one answers; an aborted signal stops it before or while it
 * waits.
 */

import assert from "node:assert/strict";
import type { Destination } from "../../../queue/handlers/http/destination.ts";
import { sendPinned } from "../../../queue/handlers/http/pinned_request.ts";
import { HttpTarget } from "../../support/http_target.ts";
import { waitFor } from "../../support/wait.ts";

function destination(url: string, address: string): Destination {
  const parsed = new URL(url);
  return {
    url: parsed,
    host: parsed.hostname,
    port: Number(parsed.port),
    addresses: [{ address, family: 4 }],
  };
}

Deno.test("sendPinned() connects a name to the checked address and answers", async () => {
  await using target = HttpTarget.start(() => new Response("hello"));
  const signal = new AbortController().signal;
  using exchange = await sendPinned(
    destination(`http://pinned.test:${target.port}/x`, "127.0.0.1"),
    { method: "GET", headers: {}, signal },
  );
  assert.equal(exchange.response.statusCode, 200);
  const chunks: Uint8Array[] = [];
  for await (const chunk of exchange.response) chunks.push(chunk);
  assert.equal(new TextDecoder().decode(chunks[0]), "hello");
  assert.equal(target.requests[0].headers.get("host"), `pinned.test:${target.port}`);
});

Deno.test("sendPinned() connects to the checked addresses, never to the URL's host", async () => {
  await using target = HttpTarget.start(() => new Response("reached"));
  // The URL names a host that does not resolve: the connection goes to the checked address.
  const elsewhere = destination(`http://elsewhere.invalid:${target.port}/`, "127.0.0.1");
  const signal = new AbortController().signal;
  using exchange = await sendPinned(elsewhere, { method: "GET", headers: {}, signal });
  assert.equal(exchange.response.statusCode, 200);
  assert.equal(target.requests[0].headers.get("host"), `elsewhere.invalid:${target.port}`);
});

Deno.test("sendPinned() tries the checked addresses in order, and names them all if none answers", async () => {
  await using target = HttpTarget.start(() => new Response("reached"));
  const url = `http://two.test:${target.port}/`;
  const signal = new AbortController().signal;
  // Nothing listens on 127.0.0.2 at that port: the next address is tried.
  const both = {
    ...destination(url, "127.0.0.2"),
    addresses: [{ address: "127.0.0.2", family: 4 }, { address: "127.0.0.1", family: 4 }],
  };
  using exchange = await sendPinned(both, { method: "GET", headers: {}, signal });
  assert.equal(exchange.response.statusCode, 200);
  await assert.rejects(
    sendPinned(destination(url, "127.0.0.2"), { method: "GET", headers: {}, signal }),
    {
      message: `Cannot connect for ${url} (port ${target.port}): 127.0.0.2: Connection refused ` +
        "(os error 111)",
    },
  );
});

Deno.test("sendPinned() rejects with the signal's reason, before sending or while waiting", async () => {
  await using target = HttpTarget.start(() => target.hang());
  const aborted = AbortSignal.abort(new Error("stop"));
  const to = destination(target.url("/"), "127.0.0.1");
  await assert.rejects(sendPinned(to, { method: "GET", headers: {}, signal: aborted }), {
    message: "stop",
  });
  const controller = new AbortController();
  const waiting = sendPinned(to, { method: "GET", headers: {}, signal: controller.signal });
  const reason = new Error("later");
  await waitFor(() => target.requests.length === 1, { message: "the request to arrive" });
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
});
