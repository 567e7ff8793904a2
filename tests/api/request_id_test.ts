/**
 * X-Request-Id: every answer carries one (the client's when sane, else a new UUID), error
 * answers name it, and the request's log lines carry it.
 */

import assert from "node:assert/strict";
import { withServer } from "../support/api_server.ts";
import { captureLog } from "../support/log_capture.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

Deno.test("X-Request-Id: an answer keeps the id the client sent", async () => {
  await withServer({}, async (_api, server) => {
    for (const id of ["abc-123", "req:7/x.y_z=1", "x".repeat(200)]) {
      const answer = await server.app.request("/healthz", { headers: { "X-Request-Id": id } });
      await answer.body?.cancel();
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get("X-Request-Id"), id);
    }
  });
});

Deno.test("X-Request-Id: a request without one gets a new UUID, each its own", async () => {
  await withServer({}, async (api) => {
    const first = (await api.get("/api/stats")).headers.get("X-Request-Id") ?? "";
    const second = (await api.get("/api/stats")).headers.get("X-Request-Id") ?? "";
    assert.match(first, UUID);
    assert.match(second, UUID);
    assert.notEqual(first, second);
  });
});

Deno.test("X-Request-Id: an id too long, with spaces or not printable ASCII is replaced", async () => {
  await withServer({}, async (_api, server) => {
    for (const insane of ["x".repeat(201), "a b", "a\tb", "caf\u00e9", ""]) {
      const answer = await server.app.request("/healthz", {
        headers: { "X-Request-Id": insane },
      });
      await answer.body?.cancel();
      assert.match(answer.headers.get("X-Request-Id") ?? "", UUID, JSON.stringify(insane));
    }
  });
});

Deno.test("X-Request-Id: an error answer names the request id in its body and header", async () => {
  await withServer({}, async (api) => {
    const kept = await api.send<{ error: { requestId: string } }>(
      "GET",
      "/api/jobs/nope",
      undefined,
      {
        headers: { "X-Request-Id": "trace-404" },
      },
    );
    assert.equal(kept.status, 404);
    assert.equal(kept.body.error.requestId, "trace-404");
    assert.equal(kept.headers.get("X-Request-Id"), "trace-404");
    const made = await api.post<{ error: { requestId: string } }>("/api/jobs", "{not json");
    assert.equal(made.status, 400);
    assert.match(made.body.error.requestId, UUID);
    assert.equal(made.headers.get("X-Request-Id"), made.body.error.requestId);
  });
});

Deno.test("X-Request-Id: a 500 names it, and so does its log line with the error", async () => {
  const log = captureLog("info");
  await withServer({ logger: log.logger }, async (api, server) => {
    const failure = new Error("stats exploded");
    server.queue.stats = () => Promise.reject(failure);
    const answer = await api.send<{ error: { code: string; requestId: string } }>(
      "GET",
      "/api/stats",
      undefined,
      { headers: { "X-Request-Id": "trace-500" } },
    );
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.code, "internal");
    assert.equal(answer.body.error.requestId, "trace-500");
    const logged = log.records.filter((record) => record.fields.requestId === "trace-500");
    assert.equal(logged.length, 1, log.messages().join("\n"));
    assert.equal(logged[0].level, "error");
    assert.equal(logged[0].msg, "Unexpected error while answering a request");
    assert.equal(logged[0].fields.error, failure);
  });
});

Deno.test("X-Request-Id: the event stream's answer carries it too", async () => {
  await withServer({}, async (_api, server) => {
    const answer = await server.app.request("/api/events", {
      headers: { "X-Request-Id": "trace-sse" },
    });
    await answer.body?.cancel();
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("X-Request-Id"), "trace-sse");
  });
});

Deno.test("Access log: at debug, one line per request with its method, path, status and id", async () => {
  const log = captureLog("debug");
  await withServer({ logger: log.logger }, async (api) => {
    await api.send("GET", "/api/jobs/nope", undefined, { headers: { "X-Request-Id": "trace-a" } });
    const [line] = log.records.filter((record) => record.fields.requestId === "trace-a");
    assert.ok(line !== undefined, log.messages().join("\n"));
    assert.equal(line.level, "debug");
    assert.equal(line.msg, "GET /api/jobs/nope 404");
    assert.deepEqual(
      { ...line.fields, ms: typeof line.fields.ms },
      { requestId: "trace-a", method: "GET", path: "/api/jobs/nope", status: 404, ms: "number" },
    );
  });
});

Deno.test("Access log: at info, requests write no line", async () => {
  const log = captureLog("info");
  await withServer({ logger: log.logger }, async (api) => {
    await api.get("/api/jobs/nope");
    await api.get("/healthz");
  });
  assert.deepEqual(log.records.filter((record) => record.fields.requestId !== undefined), []);
});
