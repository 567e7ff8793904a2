/**
 * The built-in `http` job type run by real workers: 2xx succeeds, non-2xx fails with the status in
 * the error; loopback, private, link-local and metadata addresses, names resolving to them and
 * redirects to them fail the job at once (no retries) unless `httpAllow` lists them; its own
 * timeout; the kept body within the result limit; the payload checked at enqueue.
 */

import assert from "node:assert/strict";
import { createServer, type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import type { Job } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { APP_REQUEST_HOSTS } from "../support/api_server.ts";
import { HttpTarget } from "../support/http_target.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";
import { waitFor } from "../support/wait.ts";

async function withServer(
  options: ServerOptions,
  body: (server: DenoQueueServer) => Promise<void>,
): Promise<void> {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    allowedHosts: APP_REQUEST_HOSTS,
    logger: TEST_LOGGER,
    ...options,
  });
  try {
    await body(server);
  } finally {
    await server.shutdown();
  }
}

/** Enqueues an `http` job with `payload` and waits until it completes or fails. */
async function finished(server: DenoQueueServer, payload: Record<string, unknown>): Promise<Job> {
  const [job] = await server.queue.enqueue([{ type: "http", payload }]);
  return await waitFor(async () => {
    const now = await server.queue.get(job.id);
    return now?.status === "completed" || now?.status === "failed" ? now : undefined;
  }, { message: `${JSON.stringify(payload)} to finish` });
}

Deno.test("http handler calls the URL, succeeds on 2xx and fails with the status otherwise", async () => {
  await using target = HttpTarget.start((_, url) =>
    url.pathname === "/ok"
      ? new Response("thanks")
      : new Response("nope", { status: 500, statusText: "Internal Server Error" })
  );
  await withServer({ httpAllow: [target.allow] }, async (server) => {
    const done = await finished(server, { url: target.url("/ok"), body: { hello: "world" } });
    assert.equal(done.status, "completed");
    assert.deepEqual(done.result, { status: 200, body: "thanks", truncated: false });
    const [ok, bad] = await server.queue.enqueue([
      { type: "http", payload: { url: target.url("/ok"), method: "GET", body: "not sent" } },
      {
        type: "http",
        payload: { url: target.url("/broken"), method: "PUT", body: "raw" },
        options: { maxAttempts: 1 },
      },
    ]);
    const failed = await waitFor(async () => {
      const job = await server.queue.get(bad.id);
      return job?.status === "failed" ? job : undefined;
    });
    assert.match(failed.error ?? "", /^PUT .*\/broken answered 500 Internal Server Error$/);
    await waitFor(async () => (await server.queue.get(ok.id))?.status === "completed");
  });
  const seen = target.requests.map((r) => [r.method, r.body, r.headers.get("content-type")]);
  assert.deepEqual(
    seen.sort(),
    [
      ["GET", "", null],
      ["POST", '{"hello":"world"}', "application/json"],
      ["PUT", "raw", "text/plain;charset=UTF-8"],
    ].sort(),
  );
});

Deno.test("http handler refuses loopback, private and metadata addresses, and redirects to them, at once", async () => {
  await using inner = HttpTarget.start(() => new Response("inner secret"));
  await using target = HttpTarget.start(() => Response.redirect(inner.url("/admin"), 302));
  const refused = "is in a refused range";
  const advice = "; list it in --http-allow to call it";
  const cases: [url: string, error: RegExp | string][] = [
    [inner.url("/"), `Refused ${inner.url("/")}: 127.0.0.1 ${refused}: loopback (127.0.0.0/8)`],
    [
      "http://10.0.0.1/hook",
      `Refused http://10.0.0.1/hook: 10.0.0.1 ${refused}: private (10.0.0.0/8)`,
    ],
    [
      "http://169.254.169.254/latest/meta-data/",
      "Refused http://169.254.169.254/latest/meta-data/: 169.254.169.254 " +
      `${refused}: cloud metadata (169.254.169.254/32)`,
    ],
    [
      `http://[::1]:${inner.port}/`,
      `Refused http://[::1]:${inner.port}/: ::1 ${refused}: loopback (::1/128)`,
    ],
    [
      `http://[::ffff:127.0.0.1]:${inner.port}/`,
      `Refused http://[::ffff:7f00:1]:${inner.port}/: ::ffff:7f00:1 ${refused}: loopback (127.0.0.0/8)`,
    ],
    [
      `http://localhost:${inner.port}/`,
      new RegExp(
        `^Refused http://localhost:${inner.port}/: localhost resolves to (127\\.0\\.0\\.1|::1), ` +
          `which ${refused}: loopback \\((127\\.0\\.0\\.0/8|::1/128)\\)`,
      ),
    ],
    [
      target.url("/go"),
      `Refused redirect 1 (to ${
        inner.url("/admin")
      }): 127.0.0.1 ${refused}: loopback (127.0.0.0/8)`,
    ],
  ];
  await withServer({ httpAllow: [target.allow] }, async (server) => {
    for (const [url, error] of cases) {
      const job = await finished(server, { url, method: "GET" });
      assert.equal(job.status, "failed", url);
      assert.equal(job.attempts.length, 1, `${url}: no retries`);
      if (typeof error === "string") assert.equal(job.error, error + advice);
      else assert.match(job.error ?? "", error);
    }
  });
  assert.equal(inner.requests.length, 0, "the refused server was never reached");
  assert.deepEqual(target.requests.map((r) => r.path), ["/go"]);
});

Deno.test("http handler fails the attempt past its payload timeout", async () => {
  await using target = HttpTarget.start(() => target.hang());
  await withServer({ httpAllow: [target.allow] }, async (server) => {
    const url = target.url("/slow");
    const [job] = await server.queue.enqueue([{
      type: "http",
      payload: { url, method: "GET", timeout: 300 },
      options: { maxAttempts: 2, backoff: { base: 1 } },
    }]);
    const failed = await waitFor(async () => {
      const now = await server.queue.get(job.id);
      return now?.status === "failed" ? now : undefined;
    });
    assert.equal(failed.error, `GET ${url} took longer than 300 ms (payload.timeout)`);
    assert.equal(failed.attempts.length, 2, "a timeout is worth a retry");
  });
});

Deno.test("http handler keeps the body up to maxBody, and within the result limit", async () => {
  await using target = HttpTarget.start(() => new Response("é".repeat(5000)));
  await withServer({ httpAllow: [target.allow], resultLimit: 1024 }, async (server) => {
    const small = await finished(server, { url: target.url(), method: "GET", maxBody: 10 });
    assert.deepEqual(small.result, { status: 200, body: "ééééé", truncated: true });
    const big = await finished(server, { url: target.url(), method: "GET", maxBody: 100_000 });
    assert.equal(big.status, "completed", big.error);
    const result = big.result as { body: string; truncated: boolean };
    assert.equal(result.truncated, true);
    assert.ok(/^é+$/.test(result.body) && result.body.length > 400, `${result.body.length} é`);
    assert.ok(new TextEncoder().encode(JSON.stringify(big.result)).length <= 1024);
  });
});

Deno.test("http handler payload is validated at enqueue", async () => {
  await withServer({}, async (server) => {
    for (
      const [payload, field] of [
        [{ url: "ftp://example.com" }, "payload.url"],
        [{ url: "https://user:secret@example.com/" }, "payload.url"],
        [{ url: "https://example.com", headers: { Host: "internal" } }, "payload.headers"],
        [{ url: "https://example.com", timeout: 0 }, "payload.timeout"],
        [{ url: "https://example.com", maxRedirects: 21 }, "payload.maxRedirects"],
        [{ url: "https://example.com", maxBody: -1 }, "payload.maxBody"],
      ] as const
    ) {
      const response = await server.app.request("/api/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "http", payload }),
      });
      assert.equal(response.status, 400);
      const body = await response.json();
      assert.equal(body.error.code, "invalid_payload");
      assert.equal(body.error.details.field, field);
    }
  });
});
