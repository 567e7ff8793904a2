/**
 * CORS for the origins on `--cors-origins`: preflights answered, answers (errors too) readable
 * by those origins only, and state-changing requests let through the cross-site guard.
 * @module
 */

import assert from "node:assert/strict";
import { assertError, type JobView, storedJobs } from "../../support/api_server.ts";
import { MASTER_KEY } from "../../support/auth.ts";
import { OWN_ORIGIN, send, withEdgeServer } from "../../support/edge.ts";

const APP = "http://app.example:3000";

/** A browser's preflight before a JSON POST from `origin`. */
function preflight(origin: string, path = "/api/jobs") {
  return {
    method: "OPTIONS",
    path,
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,prefer",
      "sec-fetch-site": "cross-site",
    },
  };
}

Deno.test("a preflight from a listed origin is answered with what it may send", async () => {
  await withEdgeServer({ corsOrigins: [APP] }, async (_api, server) => {
    const answer = await send(server, preflight(APP, "/api/clear"));
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get("access-control-allow-origin"), APP);
    assert.match(answer.headers.get("access-control-allow-methods") ?? "", /\bPOST\b/);
    assert.match(answer.headers.get("access-control-allow-methods") ?? "", /\bDELETE\b/);
    assert.equal(answer.headers.get("access-control-allow-headers"), "content-type,prefer");
    assert.equal(answer.headers.get("access-control-max-age"), "600");
    assert.match(answer.headers.get("vary") ?? "", /\bOrigin\b/);
    assert.equal(answer.headers.get("access-control-allow-credentials"), null);
  });
});

Deno.test("a preflight from an origin not listed gets no answer of CORS", async () => {
  await withEdgeServer({ corsOrigins: [APP] }, async (_api, server) => {
    for (
      const origin of ["http://evil.example", "http://app.example:3001", "https://app.example:3000"]
    ) {
      const answer = await send(server, preflight(origin));
      assertError(answer, 404, "not_found");
      assert.equal(answer.headers.get("access-control-allow-origin"), null, origin);
    }
  });
});

Deno.test("a listed origin enqueues and reads the answer; others are refused", async () => {
  await withEdgeServer({ corsOrigins: [APP] }, async (api, server) => {
    const body = JSON.stringify({
      type: "t-succeeds",
      payload: { value: 1 },
      options: { delay: 60_000 },
    });
    const headers = { "content-type": "application/json", "sec-fetch-site": "cross-site" };
    const allowed = await send(server, {
      method: "POST",
      path: "/api/jobs",
      headers: { ...headers, origin: APP },
      body,
    });
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
    assert.equal(allowed.headers.get("access-control-allow-origin"), APP);
    assert.match(allowed.headers.get("vary") ?? "", /\bOrigin\b/);
    assert.match(allowed.headers.get("access-control-expose-headers") ?? "", /\bLink\b/);
    assert.equal((await api.job((allowed.body as JobView).id)).status, "scheduled");
    const foreign = await send(server, {
      method: "POST",
      path: "/api/jobs",
      headers: { ...headers, origin: "http://evil.example" },
      body,
    });
    assertError(foreign, 403, "forbidden_origin");
    assert.equal(foreign.headers.get("access-control-allow-origin"), null);
    assert.match(foreign.headers.get("vary") ?? "", /\bOrigin\b/, "a cache keeps them apart");
    assert.equal(await storedJobs(api), 1);
  });
});

Deno.test("an error answer to a listed origin is readable by it", async () => {
  await withEdgeServer({ corsOrigins: [APP] }, async (_api, server) => {
    const answer = await send(server, {
      method: "POST",
      path: "/api/jobs",
      headers: { "content-type": "application/json", origin: APP },
      body: JSON.stringify({ type: "no-such-type", payload: {} }),
    });
    assertError(answer, 400, "unknown_type");
    assert.equal(answer.headers.get("access-control-allow-origin"), APP);
  });
});

Deno.test("without --cors-origins there is no CORS: no preflight answer, no headers", async () => {
  await withEdgeServer({}, async (_api, server) => {
    const answer = await send(server, preflight(APP));
    assertError(answer, 404, "not_found");
    assert.equal(answer.headers.get("access-control-allow-origin"), null);
    const read = await send(server, { path: "/api/stats", headers: { origin: APP } });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get("access-control-allow-origin"), null);
  });
});

Deno.test("a listed origin's requests need a key of their own: the dashboard's session cookie does not count", async () => {
  // A dev app on localhost:5173 is same-site to a server on localhost:8080: the browser sends the
  // SameSite=Strict cookie with its requests, and a simple POST needs no preflight.
  const DEV_APP = "http://localhost:5173";
  await withEdgeServer({ corsOrigins: [DEV_APP], masterKey: MASTER_KEY }, async (_api, server) => {
    const cookie = `denoqueue_session=${MASTER_KEY}`;
    const pause = (headers: Record<string, string>) =>
      send(server, { method: "POST", path: "/api/queue/pause", headers });
    const paused = async () =>
      ((await send(server, { path: "/api/stats", headers: { cookie } })).body as {
        workers: { paused: boolean };
      }).workers.paused;
    assertError(
      await pause({ origin: DEV_APP, "sec-fetch-site": "same-site", cookie }),
      401,
      "unauthorized",
    );
    const stream = await send(server, {
      path: "/api/events",
      headers: { origin: DEV_APP, cookie },
    });
    assertError(stream, 401, "unauthorized");
    assert.equal(await paused(), false, "nothing changed");
    const keyed = await pause({ origin: DEV_APP, authorization: `Bearer ${MASTER_KEY}` });
    assert.equal(keyed.status, 200, JSON.stringify(keyed.body));
    assert.equal(await paused(), true);
    // The dashboard on the server's own origin signs in with the cookie as before.
    const own = await send(server, {
      method: "POST",
      path: "/api/queue/resume",
      headers: { origin: OWN_ORIGIN, "sec-fetch-site": "same-origin", cookie },
    });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(await paused(), false);
  });
});
