/**
 * One `http` job call against servers on 127.0.0.1 (allowed by address and port): the answer,
 * redirects followed and checked hop by hop, their limit, the body cut, the timeout, the job's
 * signal, the name resolved once and the connection pinned to it, and HTTPS checked against the
 * URL's host name while connected to the pinned address.
 */

import assert from "node:assert/strict";
import { UnrecoverableError } from "../../../queue/errors.ts";
import { HttpAllowList } from "../../../queue/handlers/http/allow_list.ts";
import { type CallOptions, callUrl, type HttpCall } from "../../../queue/handlers/http/call.ts";
import { type Lookup, RefusedDestinationError } from "../../../queue/handlers/http/destination.ts";
import { HttpTarget, TEST_CA } from "../../support/http_target.ts";
import { waitFor } from "../../support/wait.ts";

/** A call of `url` with the handler's defaults. */
function call(url: string, more: Partial<HttpCall> = {}): HttpCall {
  return {
    url,
    method: "GET",
    headers: {},
    timeout: 10_000,
    maxRedirects: 5,
    maxBody: 4096,
    ...more,
  };
}

/** Options allowing `targets`, with the test's signal. */
function allowing(targets: HttpTarget[], more: Partial<CallOptions> = {}): CallOptions {
  return {
    allow: HttpAllowList.parse(targets.map((target) => target.allow)),
    signal: new AbortController().signal,
    ...more,
  };
}

Deno.test("callUrl() calls an allowed address and returns the answer", async () => {
  await using target = HttpTarget.start(() => new Response("thanks", { status: 201 }));
  const answer = await callUrl(
    call(target.url("/hook?x=1"), { method: "POST", body: "payload", headers: { "x-a": "1" } }),
    allowing([target]),
  );
  assert.deepEqual(answer, {
    status: 201,
    statusText: "Created",
    url: target.url("/hook?x=1"),
    body: "thanks",
    truncated: false,
  });
  const [request] = target.requests;
  assert.equal(request.method, "POST");
  assert.equal(request.path, "/hook?x=1");
  assert.equal(request.body, "payload");
  assert.equal(request.headers.get("x-a"), "1");
  assert.equal(request.headers.get("host"), `127.0.0.1:${target.port}`);
});

Deno.test("callUrl() refuses a loopback address that --http-allow does not list, before connecting", async () => {
  await using target = HttpTarget.start(() => new Response("reached"));
  await assert.rejects(callUrl(call(target.url()), allowing([])), {
    name: "RefusedDestinationError",
    message: `Refused ${target.url()}: 127.0.0.1 is in a refused range: loopback (127.0.0.0/8); ` +
      "list it in --http-allow to call it",
  });
  assert.equal(target.requests.length, 0);
});

Deno.test("callUrl() checks every redirect: one to a refused address fails naming the hop", async () => {
  await using inner = HttpTarget.start(() => new Response("inner secret"));
  await using outer = HttpTarget.start((_, url) =>
    url.pathname === "/first"
      ? Response.redirect(outer.url("/second"), 302)
      : Response.redirect(inner.url("/admin"), 307)
  );
  const error = await callUrl(call(outer.url("/first")), allowing([outer])).catch((e) => e);
  assert.ok(error instanceof RefusedDestinationError);
  assert.equal(
    error.message,
    `Refused redirect 2 (to ${inner.url("/admin")}): 127.0.0.1 is in a refused range: loopback ` +
      "(127.0.0.0/8); list it in --http-allow to call it",
  );
  assert.deepEqual(outer.requests.map((r) => r.path), ["/first", "/second"]);
  assert.equal(inner.requests.length, 0);
});

Deno.test("callUrl() follows redirects as fetch does, and drops credentials for another origin", async () => {
  await using other = HttpTarget.start(() => new Response("landed"));
  await using target = HttpTarget.start((_, url) => {
    if (url.pathname === "/start") return Response.redirect(target.url("/307"), 303);
    if (url.pathname === "/307") return Response.redirect(target.url("/elsewhere"), 307);
    return Response.redirect(other.url("/end"), 308);
  });
  const answer = await callUrl(
    call(target.url("/start"), {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json", authorization: "Bearer secret" },
    }),
    allowing([target, other]),
  );
  assert.equal(answer.body, "landed");
  assert.equal(answer.url, other.url("/end"));
  // The first POST is answered 303: the rest is a GET without the body or its type.
  assert.deepEqual(
    target.requests.map((r) => [r.method, r.path, r.body, r.headers.get("content-type")]),
    [["POST", "/start", "{}", "application/json"], ["GET", "/307", "", null], [
      "GET",
      "/elsewhere",
      "",
      null,
    ]],
  );
  assert.ok(target.requests.every((r) => r.headers.get("authorization") === "Bearer secret"));
  assert.equal(other.requests[0].headers.get("authorization"), null, "another origin");
});

Deno.test("callUrl() fails for good past maxRedirects", async () => {
  await using target = HttpTarget.start((_, url) => {
    const hop = Number(url.pathname.slice(1));
    return Response.redirect(target.url(`/${hop + 1}`), 302);
  });
  const error = await callUrl(call(target.url("/0"), { maxRedirects: 3 }), allowing([target]))
    .catch((e) => e);
  assert.ok(error instanceof UnrecoverableError);
  assert.equal(
    error.message,
    `Too many redirects: ${target.url("/3")} answered 302 to ${target.url("/4")} after 3 ` +
      "redirect(s) (payload.maxRedirects)",
  );
  assert.deepEqual(target.requests.map((r) => r.path), ["/0", "/1", "/2", "/3"]);
  const none = await callUrl(call(target.url("/0"), { maxRedirects: 0 }), allowing([target]))
    .catch((e) => e);
  assert.match(none.message, /after 0 redirect\(s\)/);
});

Deno.test("callUrl() reads the body only up to maxBody", async () => {
  const size = 10 * 1024 * 1024;
  let sent = 0;
  await using target = HttpTarget.start(() =>
    new Response(
      new ReadableStream({
        pull(controller) {
          if (sent >= size) return controller.close();
          sent += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024).fill(120)); // "x"
        },
      }),
    )
  );
  const answer = await callUrl(call(target.url(), { maxBody: 1000 }), allowing([target]));
  assert.equal(answer.body, "x".repeat(1000));
  assert.equal(answer.truncated, true);
  assert.ok(sent < size / 2, `the target sent ${sent} bytes of ${size}`);
});

Deno.test("callUrl() gives up at its timeout, waiting for the answer or for its body", async () => {
  await using silent = HttpTarget.start(() => silent.hang());
  await using slow = HttpTarget.start(() =>
    new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array(10)) }))
  );
  for (const target of [silent, slow]) {
    await assert.rejects(
      callUrl(call(target.url("/wait"), { timeout: 200 }), allowing([silent, slow])),
      { message: `GET ${target.url("/wait")} took longer than 200 ms (payload.timeout)` },
    );
  }
});

Deno.test("callUrl() ends with the job's signal, with its reason", async () => {
  await using target = HttpTarget.start(() => target.hang());
  const job = new AbortController();
  const calling = callUrl(call(target.url()), allowing([target], { signal: job.signal }));
  const reason = new DOMException("The job was cancelled", "AbortError");
  await waitFor(() => target.requests.length === 1, { message: "the request to arrive" });
  job.abort(reason);
  await assert.rejects(calling, (error) => error === reason);
});

Deno.test("callUrl() resolves a name once and connects to the address it checked", async () => {
  await using target = HttpTarget.start(() => new Response("pinned"));
  // A rebinding resolver: the checked answer first, a refused address for any later lookup.
  let lookups = 0;
  const lookup: Lookup = () =>
    Promise.resolve([{ address: lookups++ === 0 ? "127.0.0.1" : "10.9.9.9", family: 4 }]);
  const answer = await callUrl(
    call(`http://rebind.test:${target.port}/`),
    allowing([target], { lookup }),
  );
  assert.equal(answer.body, "pinned");
  assert.equal(lookups, 1);
  assert.equal(target.requests[0].headers.get("host"), `rebind.test:${target.port}`);
});

Deno.test("callUrl() over HTTPS checks the certificate against the URL's name, not the address", async () => {
  await using target = HttpTarget.start(() => new Response("secure"), { tls: true });
  const lookup: Lookup = () => Promise.resolve([{ address: "127.0.0.1", family: 4 }]);
  const options = allowing([target], { lookup, ca: TEST_CA });
  const answer = await callUrl(call(target.url("/", "localhost")), options);
  assert.equal(answer.body, "secure");
  await assert.rejects(
    callUrl(call(target.url("/", "wrong.test")), options),
    {
      message: `TLS with wrong.test at 127.0.0.1 failed for ${target.url("/", "wrong.test")}: ` +
        'invalid peer certificate: certificate not valid for name "wrong.test"; certificate is ' +
        'only valid for DnsName("localhost") or IpAddress(127.0.0.1)',
    },
  );
  await assert.rejects(
    callUrl(call(target.url("/", "localhost")), { ...options, ca: undefined }),
    {
      message:
        /^TLS with localhost at 127\.0\.0\.1 failed for .*: invalid peer certificate: UnknownIssuer/,
    },
  );
});
