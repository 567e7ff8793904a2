/**
 * GoQueue's routes through `app.request()`: enqueue, list with filters and paging, read with
 * attempts, delete (also of a running job), manual retry, clear.
 * @module
 */

import assert from "node:assert/strict";
import {
  type Answer,
  assertError,
  type JobView,
  storedJobs,
  withServer,
} from "../support/api_server.ts";
import { waitFor } from "../support/wait.ts";

Deno.test("POST /api/enqueue stores a job with a string payload as GoQueue clients send", async () => {
  await withServer({}, async (api) => {
    const answer = await api.post<JobView>("/api/enqueue", { type: "email", payload: "hi Ann" });
    assert.equal(answer.status, 201);
    const job = answer.body;
    assert.equal(typeof job.id, "string");
    assert.equal(job.type, "email");
    assert.equal(job.payload, "hi Ann");
    assert.equal(job.status, "queued");
    assert.deepEqual(job.attempts, []);
    assert.equal(job.retryOf, undefined);
    const done = await api.waitForStatus(job.id, "completed");
    assert.equal(done.payload, "hi Ann");
    assert.equal(done.progress, 100);
  });
});

Deno.test("GET /api/jobs lists newest first and filters by status and type", async () => {
  await withServer({}, async (api) => {
    const done = await api.enqueue("noop", {});
    const later = await api.enqueue("t-succeeds", { value: 2 }, { delay: 60_000 });
    const doubled = await api.enqueue("t-succeeds", { value: 3 });
    await api.waitForStatus(done.id, "completed");
    await api.waitForStatus(doubled.id, "completed");

    const all = await api.get<JobView[]>("/api/jobs");
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.map((job) => job.id), [doubled.id, later.id, done.id]);
    assert.equal(all.headers.get("link"), null);

    const ids = async (query: string) => {
      const answer = await api.get<JobView[]>(`/api/jobs?${query}`);
      assert.equal(answer.status, 200);
      return answer.body.map((job) => job.id);
    };
    assert.deepEqual(await ids("status=completed"), [doubled.id, done.id]);
    assert.deepEqual(await ids("status=scheduled"), [later.id]);
    assert.deepEqual(await ids("status=failed"), []);
    assert.deepEqual(await ids("type=t-succeeds"), [doubled.id, later.id]);
    assert.deepEqual(await ids("type=t-succeeds&status=completed"), [doubled.id]);
    assert.deepEqual(await ids("type=unknown-type"), []);
  });
});

Deno.test("GET /api/jobs pages with a Link header, with no overlap and no gap", async () => {
  await withServer({}, async (api) => {
    const batch = Array.from({ length: 7 }, (_, i) => ({
      type: i % 2 === 0 ? "noop" : "sleep",
      payload: i % 2 === 0 ? { i } : { ms: i },
      options: { delay: 60_000 },
    }));
    const created = await api.post<JobView[]>("/api/jobs", batch);
    assert.equal(created.status, 201);
    const newestFirst = created.body.map((job) => job.id).reverse();

    const seen: string[] = [];
    const pages: number[] = [];
    let path: string | undefined = "/api/jobs?limit=3";
    while (path !== undefined) {
      const page: Answer<JobView[]> = await api.get<JobView[]>(path);
      assert.equal(page.status, 200);
      pages.push(page.body.length);
      seen.push(...page.body.map((job) => job.id));
      const link = page.headers.get("link");
      if (link === null) path = undefined;
      else {
        const match = /^<([^>]+)>; rel="next"$/.exec(link);
        assert.ok(match, `unexpected Link header ${link}`);
        path = match[1];
        assert.ok(path.startsWith("/api/jobs?"), path);
        assert.equal(new URL(path, "http://x").searchParams.get("limit"), "3");
      }
      assert.ok(pages.length <= 4, "paging does not end");
    }
    assert.deepEqual(pages, [3, 3, 1]);
    assert.deepEqual(seen, newestFirst);

    // The next link keeps the filters.
    const first = await api.get<JobView[]>("/api/jobs?type=noop&limit=2");
    const link = first.headers.get("link")!;
    const next = await api.get<JobView[]>(/<([^>]+)>/.exec(link)![1]);
    const noops = newestFirst.filter((id) =>
      created.body.find((j) => j.id === id)!.type === "noop"
    );
    assert.deepEqual([...first.body, ...next.body].map((job) => job.id), noops);
  });
});

Deno.test("GET /api/jobs answers 100 jobs by default and up to 1000 with limit", async () => {
  await withServer({}, async (api) => {
    const batch = Array.from({ length: 101 }, (_, i) => ({
      type: "noop",
      payload: { i },
      options: { delay: 60_000 },
    }));
    assert.equal((await api.post("/api/jobs", batch)).status, 201);
    const byDefault = await api.get<JobView[]>("/api/jobs");
    assert.equal(byDefault.body.length, 100);
    assert.match(byDefault.headers.get("link") ?? "", /limit=100/);
    assert.deepEqual(byDefault.body[0].payload, { i: 100 });
    const most = await api.get<JobView[]>("/api/jobs?limit=1000");
    assert.equal(most.status, 200);
    assert.equal(most.body.length, 101);
    assert.equal(most.headers.get("link"), null);
  });
});

Deno.test("GET /api/jobs/:id shows every attempt", async () => {
  await withServer({}, async (api) => {
    const ok = await api.enqueue("t-succeeds", { value: 21 });
    const completed = await api.waitForStatus(ok.id, "completed");
    assert.deepEqual(completed.result, { doubled: 42 });
    assert.equal(completed.attempt, 1);
    assert.equal(completed.attempts.length, 1);
    assert.equal(completed.attempts[0].number, 1);
    assert.equal(completed.attempts[0].outcome, "completed");
    assert.equal(completed.attempts[0].workerId, "w1");
    assert.ok(completed.attempts[0].durationMs! >= 0);
    assert.deepEqual(completed.logs.map((line) => line.message), ["doubling 21"]);

    // t-throws allows 2 attempts with a backoff of at most 5 ms.
    const bad = await api.enqueue("t-throws", "anything");
    const failed = await api.waitForStatus(bad.id, "failed");
    assert.equal(failed.error, "fixture failure");
    assert.deepEqual(failed.attempts.map((a) => [a.number, a.outcome, a.error]), [
      [1, "failed", "fixture failure"],
      [2, "failed", "fixture failure"],
    ]);
    assert.ok(failed.attempts.every((a) => a.stack?.includes("fixture failure")));
  });
});

Deno.test("DELETE /api/jobs/:id removes a finished job", async () => {
  await withServer({}, async (api) => {
    const job = await api.enqueue("noop", {});
    await api.waitForStatus(job.id, "completed");
    const answer = await api.delete<{ deleted: string }>(`/api/jobs/${job.id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { deleted: job.id });
    assertError(await api.get(`/api/jobs/${job.id}`), 404, "not_found");
    assertError(await api.delete(`/api/jobs/${job.id}`), 404, "not_found");
    assert.equal(await storedJobs(api), 0);
  });
});

Deno.test("DELETE /api/jobs/:id cancels and removes a running job", async () => {
  await withServer({}, async (api) => {
    const job = await api.enqueue("t-waits", null);
    await api.waitForStatus(job.id, "in-progress");
    const answer = await api.delete<{ deleted: string }>(`/api/jobs/${job.id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { deleted: job.id });
    assertError(await api.get(`/api/jobs/${job.id}`), 404, "not_found");
    // Its worker was told: the slot and the room are free again.
    const stats = await waitFor(async () => {
      const stats = await api.stats();
      return stats.workers.running === 0 ? stats : undefined;
    }, { message: "the worker to drop the deleted job" });
    assert.equal(stats.capacity.used, 0);
    assert.equal(await storedJobs(api), 0);
  });
});

Deno.test("POST /api/jobs/:id/retry creates a new job pointing back to the original", async () => {
  // One slot: a t-waits job holds it so the retried job stays queued while we look at it.
  await withServer({ concurrency: 1 }, async (api) => {
    const original = await api.enqueue("t-throws", { n: 1 }, { maxAttempts: 1 });
    await api.waitForStatus(original.id, "failed");
    const blocker = await api.enqueue("t-waits", null);
    await api.waitForStatus(blocker.id, "in-progress");

    const answer = await api.post<JobView>(`/api/jobs/${original.id}/retry`);
    assert.equal(answer.status, 201);
    const copy = answer.body;
    assert.notEqual(copy.id, original.id);
    assert.equal(copy.retryOf, original.id);
    assert.equal(copy.type, "t-throws");
    assert.deepEqual(copy.payload, { n: 1 });
    assert.equal(copy.maxAttempts, 1);
    assert.deepEqual(copy.attempts, []);
    assert.equal((await api.job(copy.id)).retryOf, original.id);

    // The original keeps its history.
    const kept = await api.job(original.id);
    assert.equal(kept.status, "failed");
    assert.equal(kept.attempts.length, 1);

    // A cancelled job can be retried too; the new copy runs once the slot is free.
    assert.equal((await api.post(`/api/jobs/${blocker.id}/cancel`)).status, 200);
    const again = await api.post<JobView>(`/api/jobs/${blocker.id}/retry`);
    assert.equal(again.status, 201);
    assert.equal(again.body.retryOf, blocker.id);
    const ran = await api.waitForStatus(copy.id, "failed");
    assert.equal(ran.retryOf, original.id);
  });
});

Deno.test("POST /api/jobs/:id/retry answers 409 unless the job failed or was cancelled", async () => {
  await withServer({}, async (api) => {
    const completed = await api.enqueue("noop", {});
    await api.waitForStatus(completed.id, "completed");
    const scheduled = await api.enqueue("noop", {}, { delay: 60_000 });
    const running = await api.enqueue("t-waits", null);
    await api.waitForStatus(running.id, "in-progress");
    for (const job of [completed, scheduled, running]) {
      const details = assertError(await api.post(`/api/jobs/${job.id}/retry`), 409, "conflict");
      assert.deepEqual(details, {});
    }
    assert.equal(await storedJobs(api), 3);
  });
});

Deno.test("POST /api/clear removes every job", async () => {
  await withServer({}, async (api) => {
    const done = await api.enqueue("noop", {});
    await api.enqueue("noop", {}, { delay: 60_000 });
    const running = await api.enqueue("t-waits", null);
    await api.waitForStatus(done.id, "completed");
    await api.waitForStatus(running.id, "in-progress");
    const answer = await api.post<{ removed: number }>("/api/clear");
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { removed: 3 });
    assert.deepEqual(await api.jobs(), []);
    const stats = await api.stats();
    assert.equal(stats.capacity.used, 0);
    assert.deepEqual(Object.values(stats.byStatus), [0, 0, 0, 0, 0, 0]);
  });
});

Deno.test("POST /api/clear?status=completed removes only completed jobs", async () => {
  await withServer({}, async (api) => {
    const done = [await api.enqueue("noop", { a: 1 }), await api.enqueue("email", "x")];
    const failed = await api.enqueue("t-throws", null, { maxAttempts: 1 });
    const scheduled = await api.enqueue("noop", {}, { delay: 60_000 });
    for (const job of done) await api.waitForStatus(job.id, "completed");
    await api.waitForStatus(failed.id, "failed");

    const answer = await api.post<{ removed: number }>("/api/clear?status=completed");
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { removed: 2 });
    assert.deepEqual((await api.jobs()).map((job) => job.id), [scheduled.id, failed.id]);
    assertError(await api.post("/api/clear?status=nope"), 400, "invalid_query");
    assert.equal(await storedJobs(api), 2);
  });
});

// Regression: the copy's link to the original was once written after the insert, by an update
// guarded by "queued", which an idle worker claiming the copy at once made miss: the answer
// said retryOf, the stored job did not.
Deno.test({
  name: "POST /api/jobs/:id/retry keeps retryOf on a copy that an idle worker starts at once",
  fn: () =>
    withServer({}, async (api) => {
      const original = await api.enqueue("t-throws", null, { maxAttempts: 1 });
      await api.waitForStatus(original.id, "failed");
      const copy = await api.post<JobView>(`/api/jobs/${original.id}/retry`);
      assert.equal(copy.body.retryOf, original.id);
      assert.equal((await api.waitForStatus(copy.body.id, "failed")).retryOf, original.id);
    }),
});

// Regression: a clear once cancelled the unfinished jobs of the status first, then deleted the
// jobs still in that status, which were none by then.
Deno.test({
  name: "POST /api/clear?status=scheduled removes only the scheduled jobs",
  fn: () =>
    withServer({}, async (api) => {
      const kept = await api.enqueue("noop", {});
      await api.waitForStatus(kept.id, "completed");
      await api.enqueue("noop", {}, { delay: 60_000 });
      const answer = await api.post("/api/clear?status=scheduled");
      assert.deepEqual(answer.body, { removed: 1 });
      assert.deepEqual((await api.jobs()).map((job) => job.id), [kept.id]);
    }),
});

Deno.test("GET /api/jobs?match= finds a job by the end of its id, as the dashboard shows it", async () => {
  await withServer({}, async (api) => {
    const job = await api.enqueue("noop", {});
    await api.enqueue("noop", {});
    const found = await api.get<JobView[]>(`/api/jobs?match=${job.id.slice(-8)}&limit=2`);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body.map((j) => j.id), [job.id]);
    const bad = await api.get("/api/jobs?match=zz%25");
    assert.deepEqual(assertError(bad, 400, "invalid_query"), { field: "match" });
  });
});
