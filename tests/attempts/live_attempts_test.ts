/**
 * LiveAttempts: progress and log lines of running attempts, held in memory.
 */

import assert from "node:assert/strict";
import { LiveAttempts } from "../../queue/attempts/live_attempts.ts";
import { type Job, MAX_LOGS_PER_JOB } from "../../queue/job.ts";

const T = 1_700_000_000_000;

function storedJob(id: string, logs: Job["logs"] = []): Job {
  return {
    id,
    seq: 1,
    type: "noop",
    payload: {},
    status: "in-progress",
    maxAttempts: 3,
    timeout: 1000,
    backoff: { base: 1, factor: 2, cap: 10 },
    createdAt: T,
    runAt: T,
    updatedAt: T,
    progress: 7,
    attempts: [],
    logs,
  };
}

Deno.test("LiveAttempts.progress() clamps to 0–100 and returns the value kept", () => {
  const live = new LiveAttempts(() => T);
  assert.equal(live.progress("a", 42), 42);
  assert.equal(live.reportOf("a")?.progress, 42);
  assert.equal(live.progress("a", 150), 100);
  assert.equal(live.reportOf("a")?.progress, 100);
  assert.equal(live.progress("a", -3), 0);
  assert.equal(live.reportOf("a")?.progress, 0);
});

Deno.test("LiveAttempts.log() records the attempt, the message and the time", () => {
  let now = T;
  const live = new LiveAttempts(() => now);
  live.log("a", 2, "first");
  now += 10;
  live.log("a", 2, "second");
  assert.deepEqual(live.reportOf("a")?.logs, [
    { at: T, attempt: 2, message: "first" },
    { at: T + 10, attempt: 2, message: "second" },
  ]);
  assert.equal(live.reportOf("b"), undefined, "other jobs untouched");
});

Deno.test("LiveAttempts.log() keeps the last MAX_LOGS_PER_JOB lines", () => {
  const live = new LiveAttempts(() => T);
  const extra = 5;
  for (let i = 0; i < MAX_LOGS_PER_JOB + extra; i++) live.log("a", 1, `line ${i}`);
  const logs = live.reportOf("a")!.logs;
  assert.equal(logs.length, MAX_LOGS_PER_JOB);
  assert.equal(logs[0].message, `line ${extra}`);
  assert.equal(logs.at(-1)!.message, `line ${MAX_LOGS_PER_JOB + extra - 1}`);
});

Deno.test("LiveAttempts.log() truncates a message at 2000 characters", () => {
  const live = new LiveAttempts(() => T);
  const long = "a".repeat(1999) + "bcd";
  live.log("a", 1, long);
  live.log("a", 1, "short");
  const [first, second] = live.reportOf("a")!.logs;
  assert.equal(first.message, long.slice(0, 2000));
  assert.equal(first.message.length, 2000);
  assert.equal(second.message, "short");
});

Deno.test("LiveAttempts.withLive() merges stored log lines and live ones, with live progress", () => {
  const live = new LiveAttempts(() => T + 5);
  const stored = [{ at: T, attempt: 1, message: "from attempt 1" }];
  live.progress("a", 60);
  live.log("a", 2, "from attempt 2");
  const job = live.withLive(storedJob("a", stored));
  assert.equal(job.progress, 60);
  assert.deepEqual(job.logs, [...stored, { at: T + 5, attempt: 2, message: "from attempt 2" }]);
  assert.equal(job.id, "a");
});

Deno.test("LiveAttempts.withLive() keeps only the last MAX_LOGS_PER_JOB of the merged lines", () => {
  const live = new LiveAttempts(() => T);
  const stored = Array.from({ length: MAX_LOGS_PER_JOB }, (_, i) => ({
    at: T,
    attempt: 1,
    message: `old ${i}`,
  }));
  live.log("a", 2, "new");
  const { logs } = live.withLive(storedJob("a", stored));
  assert.equal(logs.length, MAX_LOGS_PER_JOB);
  assert.equal(logs[0].message, "old 1");
  assert.equal(logs.at(-1)!.message, "new");
});

Deno.test("LiveAttempts.withLive() returns a job with no live report unchanged", () => {
  const live = new LiveAttempts(() => T);
  live.progress("other", 50);
  const job = storedJob("a", [{ at: T, attempt: 1, message: "kept" }]);
  assert.equal(live.withLive(job), job);
});

Deno.test("LiveAttempts.forget() drops a job's report", () => {
  const live = new LiveAttempts(() => T);
  live.progress("a", 30);
  live.log("a", 1, "line");
  live.progress("b", 10);
  live.forget("a");
  assert.equal(live.reportOf("a"), undefined);
  const job = storedJob("a");
  assert.equal(live.withLive(job).progress, job.progress);
  assert.equal(live.reportOf("b")?.progress, 10, "other jobs kept");
});
