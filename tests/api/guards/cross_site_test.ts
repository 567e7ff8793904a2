/**
 * The cross-site guard: a request that changes something and comes from another origin, or
 * says it comes from another site, gets 403 and changes nothing; own origins come from the
 * configuration, never from `Host`; requests without browser headers pass.
 * @module
 */

import assert from "node:assert/strict";
import type { DenoQueueServer } from "../../../api/server.ts";
import {
  type ApiClient,
  APP_REQUEST_HOSTS,
  assertError,
  type StatsView,
  storedJobs,
} from "../../support/api_server.ts";
import { OWN_ORIGIN, PORT, send, withEdgeServer } from "../../support/edge.ts";

/** Two scheduled jobs (they stay as they are) and the count of stored jobs. */
async function twoScheduledJobs(api: ApiClient) {
  const first = await api.enqueue("t-succeeds", { value: 1 }, { delay: 60_000 });
  await api.enqueue("t-succeeds", { value: 2 }, { delay: 60_000 });
  return { first, count: await storedJobs(api) };
}

/** A form post, as a plain HTML form on another site sends it. */
function formPost(server: DenoQueueServer, path: string, headers: Record<string, string>) {
  return send(server, {
    method: "POST",
    path,
    headers: { "content-type": "text/plain", ...headers },
    body: "x=1",
  });
}

async function paused(api: ApiClient): Promise<boolean> {
  return (await api.get<StatsView>("/api/stats")).body.workers.paused;
}

Deno.test("a text/plain POST /api/clear from a foreign Origin gets 403 and removes nothing", async () => {
  await withEdgeServer({}, async (api, server) => {
    const { count } = await twoScheduledJobs(api);
    const answer = await formPost(server, "/api/clear", { origin: "http://evil.example" });
    assertError(answer, 403, "forbidden_origin");
    assert.match((answer.body as { error: { message: string } }).error.message, /--cors-origins/);
    assert.equal(await storedJobs(api), count);
  });
});

Deno.test("pause, resume, retry-all, delete and enqueue from a foreign Origin change nothing", async () => {
  await withEdgeServer({}, async (api, server) => {
    const { first, count } = await twoScheduledJobs(api);
    const origin = { origin: "http://evil.example" };
    for (const path of ["/api/queue/pause", "/api/jobs/retry-all", "/api/enqueue"]) {
      assertError(await formPost(server, path, origin), 403, "forbidden_origin");
    }
    const removal = await send(server, {
      method: "DELETE",
      path: `/api/jobs/${first.id}`,
      headers: origin,
    });
    assertError(removal, 403, "forbidden_origin");
    assert.equal(await storedJobs(api), count);
    assert.equal((await api.job(first.id)).status, "scheduled");
    assert.equal(await paused(api), false);
    await api.post("/api/queue/pause");
    assertError(await formPost(server, "/api/queue/resume", origin), 403, "forbidden_origin");
    assert.equal(await paused(api), true);
  });
});

Deno.test("Sec-Fetch-Site: cross-site without Origin gets 403 cross_site_request", async () => {
  await withEdgeServer({}, async (api, server) => {
    const { count } = await twoScheduledJobs(api);
    const answer = await formPost(server, "/api/clear", { "sec-fetch-site": "cross-site" });
    assertError(answer, 403, "cross_site_request");
    assert.equal(await storedJobs(api), count);
  });
});

Deno.test("a sibling app on another port of localhost (same-site) cannot clear", async () => {
  await withEdgeServer({}, async (api, server) => {
    const { count } = await twoScheduledJobs(api);
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:3000", "null"]) {
      const answer = await formPost(server, "/api/clear", {
        origin,
        "sec-fetch-site": "same-site",
      });
      assertError(answer, 403, "forbidden_origin");
    }
    // The same port with another scheme is another origin too.
    const https = await formPost(server, "/api/clear", { origin: `https://127.0.0.1:${PORT}` });
    assertError(https, 403, "forbidden_origin");
    assert.equal(await storedJobs(api), count);
  });
});

Deno.test("the server's own origins, and clients that send no browser headers, may change things", async () => {
  await withEdgeServer({}, async (api, server) => {
    await twoScheduledJobs(api);
    const own = await formPost(server, "/api/queue/pause", {
      origin: `http://localhost:${PORT}`,
      "sec-fetch-site": "same-origin",
    });
    assert.equal(own.status, 200);
    const curl = await send(server, { method: "POST", path: "/api/clear" });
    assert.equal(curl.status, 200);
    assert.deepEqual(curl.body, { removed: 2 });
    const dashboard = await send(server, {
      method: "POST",
      path: "/api/queue/resume",
      headers: { origin: OWN_ORIGIN, "sec-fetch-site": "same-origin" },
    });
    assert.equal(dashboard.status, 200);
    assert.equal(await paused(api), false);
  });
});

Deno.test("reads from a foreign origin are answered, without CORS headers to read them by", async () => {
  await withEdgeServer({}, async (_api, server) => {
    const answer = await send(server, {
      path: "/api/stats",
      headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("access-control-allow-origin"), null);
  });
});

Deno.test("a WebSocket upgrade from a foreign or sibling origin gets 403 before it opens", async () => {
  await withEdgeServer({}, async (api, server) => {
    const upgrade = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" };
    for (const origin of ["http://evil.example", "http://localhost:3000"]) {
      const answer = await send(server, {
        path: "/api/producer",
        headers: { ...upgrade, origin },
      });
      assertError(answer, 403, "forbidden_origin");
    }
    const crossSite = await send(server, {
      path: "/api/producer",
      headers: { ...upgrade, "sec-fetch-site": "cross-site" },
    });
    assertError(crossSite, 403, "cross_site_request");
    assert.equal(server.producers.size, 0);
    assert.equal(await storedJobs(api), 0);
  });
});

Deno.test("own origins come from the configuration, never from Host", async () => {
  // Host a.example at any port is served, but its origin counts only at the listening port
  // (8080) or a default one (a proxy in front).
  await withEdgeServer(
    { allowedHosts: [...APP_REQUEST_HOSTS, "a.example"] },
    async (api, server) => {
      await twoScheduledJobs(api);
      const host = "a.example:9000";
      const mirrored = await formPost(server, "/api/clear", { origin: `http://${host}` });
      assert.equal(mirrored.status, 403, "an Origin that only matches Host is not own");
      for (const origin of [`http://a.example:${PORT}`, "https://a.example"]) {
        const answer = await send(server, {
          method: "POST",
          path: "/api/queue/pause",
          host,
          headers: { origin },
        });
        assert.equal(answer.status, 200, origin);
      }
    },
  );
});

Deno.test("behind a proxy, --public-url is the own origin whatever Host the proxy passes", async () => {
  await withEdgeServer({ publicUrl: "https://queue.example.com" }, async (api, server) => {
    const { count } = await twoScheduledJobs(api);
    const proxied = await send(server, {
      method: "POST",
      path: "/api/queue/pause",
      headers: { origin: "https://queue.example.com", "sec-fetch-site": "same-origin" },
    });
    assert.equal(proxied.status, 200);
    for (const origin of ["http://queue.example.com", "https://queue.example.com:8443"]) {
      assertError(await formPost(server, "/api/clear", { origin }), 403, "forbidden_origin");
    }
    assert.equal(await storedJobs(api), count);
  });
});
