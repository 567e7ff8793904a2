import assert from "node:assert/strict";
import { type JobEvent, JobEvents } from "../queue/events.ts";
import { captureLog } from "./support/log_capture.ts";

const progress = (jobId: string, value: number): JobEvent => ({
  type: "progress",
  jobId,
  progress: value,
});

Deno.test("JobEvents.on() delivers every emitted event to every listener in order", () => {
  const events = new JobEvents();
  const first: JobEvent[] = [];
  const second: JobEvent[] = [];
  events.on((event) => first.push(event));
  events.on((event) => second.push(event));
  const a = progress("a", 10);
  const b: JobEvent = { type: "deleted", jobId: "b" };
  events.emit(a);
  events.emit(b);
  assert.deepEqual(first, [a, b]);
  assert.deepEqual(second, [a, b]);
});

Deno.test("JobEvents.on() returns a function that removes only that listener", () => {
  const events = new JobEvents();
  const kept: string[] = [];
  const removed: string[] = [];
  events.on((event) => kept.push(event.type));
  const off = events.on((event) => removed.push(event.type));
  events.emit(progress("a", 1));
  off();
  events.emit({ type: "log", jobId: "a", message: "hi" });
  assert.deepEqual(kept, ["progress", "log"]);
  assert.deepEqual(removed, ["progress"]);
});

Deno.test("JobEvents.active is true only while someone listens", () => {
  const events = new JobEvents();
  assert.equal(events.active, false);
  const offA = events.on(() => {});
  const offB = events.on(() => {});
  assert.equal(events.active, true);
  offA();
  assert.equal(events.active, true);
  offB();
  assert.equal(events.active, false);
});

Deno.test("JobEvents.emit() keeps delivering when a listener throws, and reports it", () => {
  const log = captureLog();
  const events = new JobEvents({ logger: log.logger });
  const seen: string[] = [];
  const failure = new Error("broken listener");
  events.on(() => seen.push("before"));
  events.on(() => {
    throw failure;
  });
  events.on(() => seen.push("after"));
  events.emit(progress("a", 5));
  assert.deepEqual(seen, ["before", "after"]);
  assert.equal(log.records.length, 1);
  const [record] = log.records;
  assert.equal(record.level, "error");
  assert.match(record.msg, /progress/);
  assert.equal(record.fields.jobId, "a");
  assert.equal(record.fields.error, failure);
});

Deno.test("JobEvents.waitFor() resolves with the first matching event and stops listening", async () => {
  const events = new JobEvents();
  const waiting = events.waitFor((event) => event.type === "deleted" && event.jobId === "b");
  events.emit(progress("b", 50));
  events.emit({ type: "deleted", jobId: "a" });
  const match: JobEvent = { type: "deleted", jobId: "b" };
  events.emit(match);
  events.emit({ type: "deleted", jobId: "b" });
  assert.equal(await waiting, match);
  assert.equal(events.active, false, "waitFor must remove its listener once matched");
});

Deno.test("JobEvents.waitFor() rejects with the signal's reason on abort and stops listening", async () => {
  const events = new JobEvents();
  const controller = new AbortController();
  const waiting = events.waitFor(() => false, { signal: controller.signal });
  assert.equal(events.active, true);
  const reason = new Error("no longer interested");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
  assert.equal(events.active, false);
});

Deno.test("JobEvents.waitFor() rejects at once when the signal is already aborted", async () => {
  const events = new JobEvents();
  const reason = new Error("aborted before");
  await assert.rejects(
    events.waitFor(() => true, { signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
  assert.equal(events.active, false);
});

Deno.test("JobEvents.waitFor() ignores an abort after it matched", async () => {
  const events = new JobEvents();
  const controller = new AbortController();
  const waiting = events.waitFor((e) => e.type === "progress", { signal: controller.signal });
  const match = progress("a", 1);
  events.emit(match);
  controller.abort(new Error("too late"));
  assert.equal(await waiting, match);
});
