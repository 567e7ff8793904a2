/**
 * Security headers on every answer (success, error, refusal, event stream, dashboard), and the
 * dashboard page's CSP and framing ban.
 * @module
 */

import assert from "node:assert/strict";
import { send, withEdgeServer } from "../../support/edge.ts";

function assertSecurityHeaders(headers: Headers, what: string) {
  assert.equal(headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(headers.get("referrer-policy"), "no-referrer", what);
}

Deno.test("every answer carries nosniff and no-referrer, refusals and errors included", async () => {
  await withEdgeServer({}, async (_api, server) => {
    const probes = [
      { path: "/api/stats", status: 200 },
      { path: "/healthz", status: 200 },
      { path: "/api/jobs/nope", status: 404 },
      { path: "/no/such/route", status: 404 },
      { path: "/api/stats", host: "evil.example:8080", status: 421 },
      {
        method: "POST",
        path: "/api/clear",
        headers: { origin: "http://evil.example" },
        status: 403,
      },
      { path: "/api/producer", status: 426 },
    ];
    for (const { status, ...probe } of probes) {
      const answer = await send(server, probe);
      assert.equal(answer.status, status, probe.path);
      assertSecurityHeaders(answer.headers, `${probe.path} ${status}`);
    }
    const stream = await server.app.request("http://127.0.0.1:8080/api/events", {
      headers: { host: "127.0.0.1:8080" },
    });
    assert.equal(stream.status, 200);
    assertSecurityHeaders(stream.headers, "/api/events");
    await stream.body?.cancel();
  });
});

Deno.test("the dashboard page may not be framed and runs only its own script and styles", async () => {
  await withEdgeServer({}, async (_api, server) => {
    const page = await send(server, { path: "/" });
    assert.equal(page.status, 200);
    assertSecurityHeaders(page.headers, "/");
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    const policy = page.headers.get("content-security-policy") ?? "";
    for (
      const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
      ]
    ) {
      assert.ok(policy.split("; ").includes(directive), `${directive} in ${policy}`);
    }
    const etag = page.headers.get("etag")!;
    const revalidated = await send(server, { path: "/", headers: { "if-none-match": etag } });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.headers.get("x-frame-options"), "DENY");
    assertSecurityHeaders(revalidated.headers, "/ 304");
  });
});
