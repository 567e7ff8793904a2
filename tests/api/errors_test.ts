/**
 * Every error status of the API, each in the one shape `{error: {code, message, details?}}`:
 * 400, 404, 409, 413, 415 and 503, and no input that makes it answer 500.
 * @module
 */

import assert from "node:assert/strict";
import {
  type ApiClient,
  assertError,
  assertErrorShape,
  type JobView,
  storedJobs,
  withServer,
} from "../support/api_server.ts";
import { waitFor } from "../support/wait.ts";
import { captureLog } from "../support/log_capture.ts";

const ENQUEUE_ROUTES = ["/api/jobs", "/api/enqueue"];

Deno.test("POST /api/jobs answers 400 for malformed JSON", async () => {
  await withServer({}, async (api) => {
    for (const path of ENQUEUE_ROUTES) {
      for (const body of ['{"type": "noop",', "{type: 'noop'}", "", "   "]) {
        assertError(await api.post(path, body), 400, "bad_json");
      }
    }
    assert.equal(await storedJobs(api), 0);
  });
});

Deno.test("POST /api/jobs answers 400 for an unknown type, listing the known types", async () => {
  await withServer({}, async (api) => {
    for (const path of ENQUEUE_ROUTES) {
      const answer = await api.post(path, { type: "no-such-type", payload: {} });
      const details = assertError(answer, 400, "unknown_type");
      assert.equal(details.field, "type");
      const known = details.knownTypes as string[];
      for (const type of ["noop", "sleep", "http", "email", "t-flaky"]) {
        assert.ok(known.includes(type), `${type} is not listed`);
      }
      const { message } = (answer.body as { error: { message: string } }).error;
      assert.match(message, /no-such-type/);
      assert.match(message, /noop/);
      assert.match(message, /t-waits/);
    }
  });
});

Deno.test("POST /api/enqueue answers 400 naming the invalid payload field", async () => {
  await withServer({}, async (api) => {
    for (const path of ENQUEUE_ROUTES) {
      const answer = await api.post(path, { type: "sleep", payload: { ms: "x" } });
      const details = assertError(answer, 400, "invalid_payload");
      assert.equal(details.field, "payload.ms");
      const missing = assertError(
        await api.post(path, { type: "http", payload: { method: "GET" } }),
        400,
        "invalid_payload",
      );
      assert.equal(missing.field, "payload.url");
    }
    assert.equal(await storedJobs(api), 0);
  });
});

Deno.test("POST /api/jobs answers 400 naming the bad option", async () => {
  await withServer({}, async (api) => {
    const cases: [unknown, string][] = [
      [{ timeout: -1 }, "options.timeout"],
      [{ maxAttempts: 0 }, "options.maxAttempts"],
      [{ delay: 1.5 }, "options.delay"],
      [{ backoff: { factor: 0.5 } }, "options.backoff.factor"],
    ];
    for (const [options, field] of cases) {
      const answer = await api.post("/api/jobs", { type: "noop", payload: {}, options });
      assert.equal(assertError(answer, 400, "invalid_options").field, field);
    }
    const notAnObject = await api.post("/api/jobs", { type: "noop", payload: {}, options: 5 });
    assert.equal(assertError(notAnObject, 400, "invalid_request").field, "options");
    assert.equal(await storedJobs(api), 0);
  });
});

Deno.test("GET /api/jobs answers 400 for a bad query", async () => {
  await withServer({}, async (api) => {
    const cases: [string, string][] = [
      ["status=nope", "status"],
      ["limit=0", "limit"],
      ["limit=5000", "limit"],
      ["limit=1001", "limit"],
      ["limit=-1", "limit"],
      ["limit=2.5", "limit"],
      ["limit=ten", "limit"],
      ["cursor=0", "cursor"],
      ["cursor=abc", "cursor"],
    ];
    for (const [query, field] of cases) {
      const details = assertError(await api.get(`/api/jobs?${query}`), 400, "invalid_query");
      assert.equal(details.field, field, query);
    }
  });
});

Deno.test("GET /api/jobs/:id answers 404 for an unknown id, on every job route", async () => {
  await withServer({}, async (api) => {
    const id = crypto.randomUUID();
    assertError(await api.get(`/api/jobs/${id}`), 404, "not_found");
    assertError(await api.delete(`/api/jobs/${id}`), 404, "not_found");
    assertError(await api.post(`/api/jobs/${id}/cancel`), 404, "not_found");
    assertError(await api.post(`/api/jobs/${id}/retry`), 404, "not_found");
  });
});

Deno.test("Unknown routes answer 404 in the error shape", async () => {
  await withServer({}, async (api) => {
    assertError(await api.get("/api/nope"), 404, "not_found");
    assertError(await api.get("/nope"), 404, "not_found");
    assertError(await api.send("PUT", "/api/jobs"), 404, "not_found");
    assertError(await api.send("PATCH", "/api/stats"), 404, "not_found");
  });
});

Deno.test("POST /api/jobs answers 413 past bodyLimit, with or without Content-Length", async () => {
  await withServer({ bodyLimit: 1024 }, async (api) => {
    const job = (size: number) => JSON.stringify({ type: "noop", payload: "x".repeat(size) });
    const fits = job(1024 - job(0).length);
    assert.equal(new TextEncoder().encode(fits).length, 1024);
    assert.equal((await api.post("/api/jobs", fits)).status, 201);

    const tooBig = job(1025 - job(0).length);
    const declared = await api.post("/api/jobs", tooBig, {
      headers: { "content-type": "application/json", "content-length": "1025" },
    });
    assert.equal(assertError(declared, 413, "payload_too_large").limit, 1024);

    for (const path of ENQUEUE_ROUTES) {
      // A stream has no Content-Length: the limit is checked while reading.
      const bytes = new TextEncoder().encode(job(3000));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 500) {
            controller.enqueue(bytes.slice(at, at + 500));
          }
          controller.close();
        },
      });
      const streamed = await api.post(path, undefined, {
        body,
        headers: { "content-type": "application/json" },
      });
      assertError(streamed, 413, "payload_too_large");
    }
    assert.equal(await storedJobs(api), 1);
  });
});

Deno.test("POST /api/jobs answers 415 unless the body is JSON", async () => {
  await withServer({}, async (api) => {
    const body = JSON.stringify({ type: "noop", payload: {} });
    for (const path of ENQUEUE_ROUTES) {
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonp"]) {
        const answer = await api.post(path, body, { headers: { "content-type": type } });
        assertError(answer, 415, "unsupported_media_type");
      }
      // No Content-Type at all (a byte body sets none).
      const bare = await api.post(path, undefined, { body: new TextEncoder().encode(body) });
      assertError(bare, 415, "unsupported_media_type");
    }
    assert.equal(await storedJobs(api), 0);
    for (const type of ["application/json; charset=utf-8", "application/merge-patch+json"]) {
      const answer = await api.post("/api/jobs", body, { headers: { "content-type": type } });
      assert.equal(answer.status, 201, type);
    }
  });
});

/** Fills a queue of capacity 2 with two jobs that run until cancelled. */
async function fill(api: ApiClient): Promise<JobView[]> {
  const jobs = [await api.enqueue("t-waits", 1), await api.enqueue("t-waits", 2)];
  for (const job of jobs) await api.waitForStatus(job.id, "in-progress");
  assert.equal((await api.stats()).capacity.used, 2);
  return jobs;
}

Deno.test("POST /api/jobs answers 503 with Retry-After when the queue stays full", async () => {
  await withServer({ capacity: 2, enqueueWait: 50 }, async (api) => {
    const held = await fill(api);
    for (const path of ENQUEUE_ROUTES) {
      const answer = await api.post(path, { type: "noop", payload: {} });
      assertError(answer, 503, "queue_full");
      const retryAfter = Number(answer.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${retryAfter}`);
    }
    const stats = await api.stats();
    assert.equal(stats.capacity.waiting, 0);
    assert.equal(await storedJobs(api), 2, "the refused enqueues stored nothing");
    assert.deepEqual((await api.jobs()).map((job) => job.id).sort(), held.map((j) => j.id).sort());

    // Room comes back when a job ends.
    await api.post(`/api/jobs/${held[0].id}/cancel`);
    assert.equal((await api.post("/api/jobs", { type: "noop", payload: {} })).status, 201);
  });
});

Deno.test("POST /api/jobs stores nothing when the client gives up while waiting for room", async () => {
  // The abandoned request may be logged (see api/errors.ts): keep that out of the test output;
  // the answer goes to nobody anyway.
  const log = captureLog();
  await withServer(
    { capacity: 2, enqueueWait: 10_000, logger: log.logger },
    async (api, server) => {
      await fill(api);
      const client = new AbortController();
      const request = server.app.request("/api/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "noop", payload: {} }),
        signal: client.signal,
      });
      await waitFor(async () => (await api.stats()).capacity.waiting === 1, {
        message: "the enqueue to wait for room",
      });
      client.abort();
      await (await request).body?.cancel();
      const stats = await api.stats();
      assert.equal(stats.capacity.waiting, 0);
      assert.equal(stats.capacity.used, 2);
      assert.equal(await storedJobs(api), 2);
    },
  );
});

Deno.test("Every route but /healthz answers 503 while shutting down", async () => {
  await withServer({}, async (api, server) => {
    const job = await api.enqueue("noop", {});
    await api.waitForStatus(job.id, "completed");
    const stopped = server.shutdown();
    try {
      const health = await api.get("/healthz");
      assert.equal(health.status, 200);
      for (
        const answer of [
          await api.get("/readyz"),
          await api.get("/api/jobs"),
          await api.get(`/api/jobs/${job.id}`),
          await api.post("/api/jobs", { type: "noop", payload: {} }),
          await api.post("/api/enqueue", { type: "noop", payload: {} }),
          await api.post("/api/clear"),
        ]
      ) {
        assertError(answer, 503, "shutting_down");
        assert.equal(answer.headers.get("retry-after"), "5");
      }
    } finally {
      await stopped;
    }
  });
});

Deno.test("POST /api/jobs answers odd bodies with 4xx, never 500", async () => {
  const deep = "[".repeat(5000) + "]".repeat(5000);
  const bodies: [string, string][] = [
    ["null", "null"],
    ["an empty array", "[]"],
    ["a number", "42"],
    ["a string", '"str"'],
    ["true", "true"],
    ["an empty object", "{}"],
    ["a numeric type", '{"type":5,"payload":{}}'],
    ["an array type", '{"type":["noop"],"payload":{}}'],
    ["a very long type", JSON.stringify({ type: "t".repeat(10_000), payload: {} })],
    ["a deeply nested array", deep],
    ["a deeply nested payload", `{"type":"sleep","payload":${deep}}`],
    ["an extra unknown field", '{"type":"noop","payload":{},"priority":1}'],
    ["a __proto__ field", '{"type":"noop","payload":{},"__proto__":{"type":"x"}}'],
    ["options as an array", '{"type":"noop","payload":{},"options":[]}'],
    ["an unknown option", '{"type":"noop","payload":{},"options":{"retries":3}}'],
    ["an infinite delay", '{"type":"noop","payload":{},"options":{"delay":1e999}}'],
    ["a batch of nulls", "[null, null]"],
    ["a batch holding a batch", '[[{"type":"noop","payload":{}}]]'],
  ];
  await withServer({}, async (api) => {
    for (const path of ENQUEUE_ROUTES) {
      for (const [name, body] of bodies) {
        const answer = await api.post(path, body);
        assert.ok(
          answer.status >= 400 && answer.status < 500,
          `${path} with ${name}: ${answer.status} ${JSON.stringify(answer.body)}`,
        );
        assertErrorShape(answer.body);
      }
    }
    assert.equal(await storedJobs(api), 0);
  });
});
