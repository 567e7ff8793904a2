/**
 * Jobs as a resource through `app.request()`: one job or a batch, per-job options, cancel,
 * the automatic retry path, stats, types and health.
 * @module
 */

import assert from "node:assert/strict";
import type { TypeDescription } from "../../queue/handlers/registry.ts";
import type { JobEvent } from "../../queue/events.ts";
import {
  assertError,
  type JobView,
  type StatsView,
  storedJobs,
  withServer,
} from "../support/api_server.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("POST /api/jobs stores one job and answers it, not an array", async () => {
  await withServer({}, async (api) => {
    const answer = await api.post<JobView>("/api/jobs", { type: "sleep", payload: { ms: 1 } });
    assert.equal(answer.status, 201);
    assert.equal(Array.isArray(answer.body), false);
    assert.equal(answer.body.type, "sleep");
    assert.deepEqual(answer.body.payload, { ms: 1 });
    assert.equal(answer.body.maxAttempts, 3);
    assert.equal(answer.body.timeout, 30_000);
    const done = await api.waitForStatus(answer.body.id, "completed");
    assert.deepEqual(done.result, { sleptMs: 1 });
  });
});

Deno.test("POST /api/jobs stores a batch all or nothing", async () => {
  await withServer({}, async (api) => {
    const ok = await api.post<JobView[]>("/api/jobs", [
      { type: "noop", payload: {} },
      { type: "email", payload: "to Ann" },
      { type: "sleep", payload: { ms: 0 }, options: { delay: 60_000 } },
    ]);
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body.map((job) => job.type), ["noop", "email", "sleep"]);
    assert.equal(new Set(ok.body.map((job) => job.id)).size, 3);
    assert.equal(ok.body[2].status, "scheduled");

    const bad = await api.post("/api/jobs", [
      { type: "noop", payload: {} },
      { type: "noop", payload: {} },
      { type: "sleep", payload: { ms: "x" } },
    ]);
    const details = assertError(bad, 400, "invalid_payload");
    assert.equal(details.field, "[2].payload.ms");
    assert.equal(await storedJobs(api), 3, "the refused batch stored nothing");
  });
});

Deno.test("POST /api/jobs with Prefer: return=minimal answers ids and statuses only", async () => {
  await withServer({}, async (api) => {
    const minimal = { headers: { prefer: "return=minimal" } };
    const batch = await api.post<{ id: string; status: string }[]>("/api/jobs", [
      { type: "noop", payload: {} },
      { type: "sleep", payload: { ms: 0 }, options: { delay: 60_000 } },
    ], minimal);
    assert.equal(batch.status, 201);
    assert.equal(batch.headers.get("preference-applied"), "return=minimal");
    assert.deepEqual(batch.body.map((job) => Object.keys(job)), [["id", "status"], [
      "id",
      "status",
    ]]);
    assert.equal(batch.body[1].status, "scheduled");
    assert.equal((await api.get<JobView>(`/api/jobs/${batch.body[1].id}`)).body.type, "sleep");

    const one = await api.post<{ id: string; status: string }>(
      "/api/jobs?wait=10000",
      { type: "noop", payload: {} },
      { headers: { prefer: 'respond-async, return="minimal"' } },
    );
    assert.deepEqual(Object.keys(one.body), ["id", "status"]);
    assert.equal(one.body.status, "completed");

    const full = await api.post<JobView>("/api/jobs", { type: "noop", payload: {} }, {
      headers: { prefer: "return=representation" },
    });
    assert.equal(full.headers.get("preference-applied"), null);
    assert.equal(full.body.type, "noop");
    // Refusals keep their usual shape.
    assertError(
      await api.post("/api/jobs", { type: "nope", payload: {} }, minimal),
      400,
      "unknown_type",
    );
  });
});

Deno.test("POST /api/jobs refuses an empty batch and one over 1000 jobs", async () => {
  await withServer({}, async (api) => {
    const job = { type: "noop", payload: 1 };
    const over = assertError(
      await api.post("/api/jobs", Array.from({ length: 1001 }, () => job)),
      400,
      "invalid_request",
    );
    assert.equal(over.field, "jobs");
    assert.equal(
      assertError(await api.post("/api/jobs", []), 400, "invalid_request").field,
      "jobs",
    );
    const most = await api.post<JobView[]>("/api/jobs", Array.from({ length: 1000 }, () => job));
    assert.equal(most.status, 201);
    assert.equal(most.body.length, 1000);
  });
});

Deno.test("POST /api/jobs honours the maxAttempts option", async () => {
  await withServer({}, async (api) => {
    // t-throws allows 2 attempts by default.
    const job = await api.enqueue("t-throws", null, { maxAttempts: 3, backoff: { base: 1 } });
    assert.equal(job.maxAttempts, 3);
    const failed = await api.waitForStatus(job.id, "failed");
    assert.equal(failed.attempts.length, 3);
    assert.ok(failed.attempts.every((attempt) => attempt.outcome === "failed"));

    const once = await api.enqueue("t-throws", null, { maxAttempts: 1 });
    assert.equal((await api.waitForStatus(once.id, "failed")).attempts.length, 1);
  });
});

Deno.test("POST /api/jobs honours the timeout option", async () => {
  await withServer({}, async (api) => {
    const job = await api.enqueue("t-slow", { ms: 60_000 }, { timeout: 50, maxAttempts: 1 });
    assert.equal(job.timeout, 50);
    const failed = await api.waitForStatus(job.id, "failed");
    assert.equal(failed.attempts.length, 1);
    assert.equal(failed.attempts[0].outcome, "timeout");
    assert.equal(failed.error, "Timed out after 50 ms");
  });
});

Deno.test("POST /api/jobs/:id/cancel cancels a scheduled job", async () => {
  await withServer({}, async (api) => {
    const job = await api.enqueue("noop", {}, { delay: 60_000 });
    assert.equal(job.status, "scheduled");
    const answer = await api.post<JobView>(`/api/jobs/${job.id}/cancel`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, "cancelled");
    assert.equal(answer.body.error, "Cancelled by request");
    assert.equal((await api.job(job.id)).status, "cancelled");
    assert.equal((await api.stats()).capacity.used, 0);
  });
});

Deno.test("POST /api/jobs/:id/cancel cancels a queued job behind a full worker", async () => {
  await withServer({ concurrency: 1 }, async (api) => {
    const blocker = await api.enqueue("t-waits", null);
    await api.waitForStatus(blocker.id, "in-progress");
    const queued = await api.enqueue("noop", {});
    assert.equal((await api.job(queued.id)).status, "queued");
    const answer = await api.post<JobView>(`/api/jobs/${queued.id}/cancel`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, "cancelled");
    assert.deepEqual(answer.body.attempts, []);
  });
});

Deno.test("POST /api/jobs/:id/cancel cancels a running job", async () => {
  await withServer({}, async (api) => {
    const job = await api.enqueue("t-waits", null);
    await api.waitForStatus(job.id, "in-progress");
    const answer = await api.post<JobView>(`/api/jobs/${job.id}/cancel`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, "cancelled");
    assert.equal(answer.body.attempts.length, 1);
    assert.equal(answer.body.attempts[0].outcome, "cancelled");
    await waitFor(async () => (await api.stats()).workers.running === 0, {
      message: "the worker to let the cancelled job go",
    });
    assert.equal((await api.job(job.id)).status, "cancelled", "a final job never changes");
  });
});

Deno.test("POST /api/jobs/:id/cancel answers 409 for a completed, failed or cancelled job", async () => {
  await withServer({}, async (api) => {
    const completed = await api.enqueue("noop", {});
    const failed = await api.enqueue("t-unrecoverable", null);
    const cancelled = await api.enqueue("noop", {}, { delay: 60_000 });
    await api.waitForStatus(completed.id, "completed");
    await api.waitForStatus(failed.id, "failed");
    assert.equal((await api.post(`/api/jobs/${cancelled.id}/cancel`)).status, 200);
    for (
      const [job, status] of [[completed, "completed"], [failed, "failed"], [
        cancelled,
        "cancelled",
      ]] as const
    ) {
      assertError(await api.post(`/api/jobs/${job.id}/cancel`), 409, "conflict");
      assert.equal((await api.job(job.id)).status, status, "a final job never changes");
    }
  });
});

// Regression: fields were prefixed with the index only when a batch held more than one job;
// an array body is a batch whatever its length (the route passes `batch` to the Enqueuer).
Deno.test({
  name: "POST /api/jobs names the field with its index in a batch of one",
  fn: () =>
    withServer({}, async (api) => {
      const answer = await api.post("/api/jobs", [{ type: "sleep", payload: { ms: "x" } }]);
      assert.equal(assertError(answer, 400, "invalid_payload").field, "[0].payload.ms");
    }),
});

Deno.test("POST /api/jobs retries a failing job after backoff until it succeeds", async () => {
  await withServer({}, async (api, server) => {
    const retrying: JobEvent[] = [];
    const off = server.events.on((event) => {
      if (event.type === "retrying") retrying.push(event);
    });
    try {
      // t-flaky: backoff base 20 ms, factor 2, so the delays are at most 20 then 40 ms.
      const job = await api.enqueue("t-flaky", { succeedOn: 3 });
      const done = await api.waitForStatus(job.id, "completed");
      assert.deepEqual(done.result, { succeededOnAttempt: 3 });
      assert.deepEqual(done.attempts.map((a) => [a.number, a.outcome, a.error]), [
        [1, "failed", "attempt 1 fails"],
        [2, "failed", "attempt 2 fails"],
        [3, "completed", undefined],
      ]);

      assert.equal(retrying.length, 2);
      let previousRunAt = Date.parse(job.runAt!);
      for (const [index, event] of retrying.entries()) {
        assert.ok(event.type === "retrying");
        assert.equal(event.job.id, job.id);
        assert.equal(event.job.status, "scheduled");
        const failedAttempt = event.job.attempts[index];
        assert.equal(failedAttempt.outcome, "failed");
        const wait = event.job.runAt - failedAttempt.endedAt!;
        assert.ok(wait >= 0 && wait <= 20 * 2 ** index, `backoff of ${wait} ms`);
        assert.ok(event.job.runAt >= previousRunAt, "the retry runs later");
        previousRunAt = event.job.runAt;
        // The next attempt started only once the job was due again.
        assert.ok(Date.parse(done.attempts[index + 1].startedAt!) >= event.job.runAt);
      }
    } finally {
      off();
    }
  });
});

Deno.test("GET /api/stats counts jobs by status and type, with capacity and workers", async () => {
  await withServer({ capacity: 50 }, async (api) => {
    const done = [await api.enqueue("noop", {}), await api.enqueue("t-succeeds", { value: 1 })];
    await api.enqueue("noop", {}, { delay: 60_000 });
    const running = await api.enqueue("t-waits", null);
    for (const job of done) await api.waitForStatus(job.id, "completed");
    await api.waitForStatus(running.id, "in-progress");

    const answer = await api.get<StatsView>("/api/stats");
    assert.equal(answer.status, 200);
    const stats = answer.body;
    assert.deepEqual(stats.byStatus, {
      "queued": 0,
      "scheduled": 1,
      "in-progress": 1,
      "completed": 2,
      "failed": 0,
      "cancelled": 0,
    });
    assert.equal(stats.byType.noop.completed, 1);
    assert.equal(stats.byType.noop.scheduled, 1);
    assert.equal(stats.byType["t-succeeds"].completed, 1);
    assert.equal(stats.byType["t-waits"]["in-progress"], 1);
    assert.deepEqual(stats.capacity, { limit: 50, used: 2, waiting: 0 });
    const { sandboxes, ...workers } = stats.workers;
    assert.deepEqual(workers, {
      size: 1,
      concurrency: 4,
      paused: false,
      busy: 1,
      idle: 0,
      running: 1,
      claimedAhead: 0,
    });
    const busy = sandboxes.filter((sandbox) => sandbox.busy > 0);
    assert.deepEqual(busy.map(({ permissions, workers }) => ({ permissions, workers })), [
      { permissions: "none", workers: 1 },
    ]);
    assert.equal(stats.throughput.windowSeconds, 60);
    assert.ok(stats.throughput.completedPerSecond > 0);
    assert.equal(stats.throughput.failedPerSecond, 0);
  });
});

Deno.test("GET /api/types describes the built-in and fixture types", async () => {
  await withServer({}, async (api) => {
    const answer = await api.get<TypeDescription[]>("/api/types");
    assert.equal(answer.status, 200);
    const byType = new Map(answer.body.map((type) => [type.type, type]));
    for (const type of ["noop", "sleep", "http", "email", "t-flaky", "t-waits", "t-succeeds"]) {
      const description = byType.get(type);
      assert.ok(description, `${type} is missing`);
      assert.equal(typeof description.payloadSchema, "object");
      assert.ok(Number.isInteger(description.timeout) && description.timeout > 0);
      assert.ok(Number.isInteger(description.retry.maxAttempts));
      assert.deepEqual(Object.keys(description.retry.backoff).sort(), ["base", "cap", "factor"]);
    }
    const sleep = byType.get("sleep")!.payloadSchema as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(sleep.properties), ["ms"]);
    assert.deepEqual(byType.get("t-flaky")!.retry, {
      maxAttempts: 5,
      backoff: { base: 20, factor: 2, cap: 200 },
    });
    assert.equal(byType.get("t-waits")!.timeout, 60_000);
    assert.equal(byType.get("noop")!.timeout, 30_000);
  });
});

Deno.test("GET /healthz and GET /readyz answer while the service runs", async () => {
  await withServer({}, async (api) => {
    const health = await api.get("/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: "ok" });
    const ready = await api.get("/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: "ready", workers: 1 });
  });
});

Deno.test("POST /api/queue/pause holds jobs back until POST /api/queue/resume", async () => {
  await withServer({}, async (api) => {
    const paused = await api.post<{ paused: boolean }>("/api/queue/pause");
    assert.equal(paused.status, 200);
    assert.equal(paused.body.paused, true);
    const job = await api.enqueue("noop", {});
    assert.equal((await api.job(job.id)).status, "queued");
    assert.equal((await api.stats()).workers.paused, true);
    const resumed = await api.post<{ paused: boolean }>("/api/queue/resume");
    assert.equal(resumed.body.paused, false);
    await api.waitForStatus(job.id, "completed");
  });
});

Deno.test("POST /api/jobs?wait= answers once the job is final", async () => {
  await withServer({}, async (api) => {
    const done = await api.post<JobView>("/api/jobs?wait=10000", {
      type: "t-succeeds",
      payload: { value: 6 },
    });
    assert.equal(done.status, 201);
    assert.equal(done.body.status, "completed");
    assert.deepEqual(done.body.result, { doubled: 12 });
    const batch = await api.post<JobView[]>("/api/jobs?wait=10000", [
      { type: "t-succeeds", payload: { value: 1 } },
      { type: "t-throws", payload: {}, options: { maxAttempts: 1 } },
    ]);
    assert.deepEqual(batch.body.map((j) => j.status), ["completed", "failed"]);
    // Long enough for the job to be claimed on a loaded machine; it never ends by itself.
    const notYet = await api.post<JobView>("/api/jobs?wait=1000", {
      type: "t-waits",
      payload: {},
    });
    assert.equal(notYet.body.status, "in-progress", "the wait ran out first: the current state");
    const bad = await api.post("/api/jobs?wait=soon", { type: "noop", payload: {} });
    assert.equal(bad.status, 400);
  });
});
