/**
 * The Host check (DNS rebinding): only the server's own names are served, others get 421 in the
 * API's error shape and nothing happens; health probes pass whatever their Host.
 * @module
 */

import assert from "node:assert/strict";
import { assertError, type StatsView, storedJobs } from "../../support/api_server.ts";
import { OWN_HOST, PORT, send, withEdgeServer } from "../../support/edge.ts";

Deno.test("the loopback names at the server's port are served", async () => {
  await withEdgeServer({}, async (_api, server) => {
    for (const host of [OWN_HOST, `localhost:${PORT}`, `[::1]:${PORT}`, `LOCALHOST:${PORT}`]) {
      const answer = await send(server, { path: "/api/stats", host });
      assert.equal(answer.status, 200, host);
    }
  });
});

Deno.test("another name, or a loopback name at another port, gets 421 misdirected_request", async () => {
  await withEdgeServer({ allowedHosts: [] }, async (_api, server) => {
    for (
      const host of [
        `evil.example:${PORT}`,
        "evil.example",
        "127.0.0.1:9999",
        "localhost",
        `127.0.0.1.evil.example:${PORT}`,
      ]
    ) {
      const answer = await send(server, { path: "/api/jobs", host });
      assertError(answer, 421, "misdirected_request");
      const { message } = (answer.body as { error: { message: string } }).error;
      assert.match(message, new RegExp(`"${host.replaceAll(".", "\\.")}"`));
      assert.match(message, /--allowed-hosts .*--public-url/);
    }
  });
});

Deno.test("a request line naming another host than Host is refused, either way round", async () => {
  await withEdgeServer({}, async (_api, server) => {
    const pairs = [[`evil.example:${PORT}`, OWN_HOST], [OWN_HOST, `evil.example:${PORT}`]];
    for (const [inUrl, inHeader] of pairs) {
      const response = await server.app.request(`http://${inUrl}/api/stats`, {
        headers: { host: inHeader },
      });
      assert.equal(response.status, 421, `${inUrl} with Host ${inHeader}`);
      assert.equal((await response.json()).error.code, "misdirected_request");
    }
  });
});

Deno.test("a refused Host changes nothing: clear, pause, enqueue, delete", async () => {
  await withEdgeServer({}, async (api, server) => {
    const kept = await api.enqueue("t-succeeds", { value: 1 }, { delay: 60_000 });
    await api.enqueue("t-succeeds", { value: 2 }, { delay: 60_000 });
    const before = await storedJobs(api);
    const host = `evil.example:${PORT}`;
    const json = { "content-type": "application/json" };
    const attempts = [
      { method: "POST", path: "/api/clear" },
      { method: "POST", path: "/api/queue/pause" },
      { method: "POST", path: "/api/jobs/retry-all" },
      { method: "DELETE", path: `/api/jobs/${kept.id}` },
      {
        method: "POST",
        path: "/api/jobs",
        headers: json,
        body: JSON.stringify({ type: "noop", payload: {} }),
      },
    ];
    for (const attempt of attempts) {
      assertError(await send(server, { ...attempt, host }), 421, "misdirected_request");
    }
    assert.equal(await storedJobs(api), before);
    assert.equal((await api.job(kept.id)).status, "scheduled");
    assert.equal((await api.get<StatsView>("/api/stats")).body.workers.paused, false);
  });
});

Deno.test("the event stream, the producer socket and the dashboard answer 421 to another Host", async () => {
  await withEdgeServer({}, async (_api, server) => {
    const host = `evil.example:${PORT}`;
    assertError(await send(server, { path: "/api/events", host }), 421, "misdirected_request");
    const socket = await send(server, {
      path: "/api/producer",
      host,
      headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" },
    });
    assertError(socket, 421, "misdirected_request");
    assertError(await send(server, { path: "/", host }), 421, "misdirected_request");
    const page = await send(server, { path: "/" });
    assert.equal(page.status, 200);
  });
});

Deno.test("health probes are served whatever their Host (a pod's IP, say)", async () => {
  await withEdgeServer({}, async (_api, server) => {
    for (const path of ["/healthz", "/readyz"]) {
      const answer = await send(server, { path, host: "10.1.2.3:8080" });
      assert.equal(answer.status, 200, path);
    }
  });
});

Deno.test("bound to 0.0.0.0, a LAN address is refused until --allowed-hosts names it", async () => {
  await withEdgeServer({ host: "0.0.0.0" }, async (_api, server) => {
    const refused = await send(server, { path: "/api/stats", host: "10.1.2.3:8080" });
    assertError(refused, 421, "misdirected_request");
    const { message } = (refused.body as { error: { message: string } }).error;
    assert.match(message, /--allowed-hosts 10\.1\.2\.3:8080/);
    assert.equal((await send(server, { path: "/api/stats" })).status, 200, "loopback still");
  });
  await withEdgeServer({ host: "0.0.0.0", allowedHosts: ["10.1.2.3"] }, async (_api, server) => {
    assert.equal((await send(server, { path: "/api/stats", host: "10.1.2.3:8080" })).status, 200);
    assert.equal((await send(server, { path: "/api/stats", host: "10.1.2.3" })).status, 200);
    assertError(
      await send(server, { path: "/api/stats", host: "10.1.2.4:8080" }),
      421,
      "misdirected_request",
    );
  });
});

Deno.test("the address it binds, --allowed-hosts name:port and --public-url's host are served", async () => {
  await withEdgeServer({
    host: "192.0.2.7",
    allowedHosts: ["b.example:8443"],
    publicUrl: "https://queue.example.com",
  }, async (_api, server) => {
    const served = [
      `192.0.2.7:${PORT}`,
      "b.example:8443",
      "queue.example.com",
      "Queue.Example.com",
    ];
    for (const host of served) {
      assert.equal((await send(server, { path: "/api/stats", host })).status, 200, host);
    }
    for (const host of ["192.0.2.7:9999", "b.example", "b.example:8444", "example.com"]) {
      assertError(await send(server, { path: "/api/stats", host }), 421, "misdirected_request");
    }
  });
});

Deno.test("with port 0, the port it got is its own once it listens", async () => {
  await withEdgeServer({ port: 0, allowedHosts: [] }, async (_api, server) => {
    const { port } = await server.listen();
    const own = await fetch(`http://127.0.0.1:${port}/api/stats`);
    assert.equal(own.status, 200);
    await own.body?.cancel();
    const other = await send(server, { path: "/api/stats", host: `127.0.0.1:${port + 1}` });
    assertError(other, 421, "misdirected_request");
  });
});
