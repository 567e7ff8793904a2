import assert from "node:assert/strict";
import { createLogger, Logger, type LogRecord } from "../../queue/primitives/logger.ts";

function recording(level?: Logger["level"]) {
  const records: LogRecord[] = [];
  return { records, logger: new Logger({ level, sink: (record) => records.push(record) }) };
}

Deno.test("Logger drops lines below its level", () => {
  const { records, logger } = recording("warn");
  logger.debug("d");
  logger.info("i");
  logger.warn("w");
  logger.error("e");
  assert.deepEqual(records.map((record) => [record.level, record.msg]), [["warn", "w"], [
    "error",
    "e",
  ]]);
  assert.equal(logger.enabled("info"), false);
  assert.equal(logger.enabled("warn"), true);
});

Deno.test("Logger writes every level from debug, and info by default", () => {
  const all = recording("debug");
  for (const level of ["debug", "info", "warn", "error"] as const) all.logger[level](level);
  assert.deepEqual(all.records.map((record) => record.msg), ["debug", "info", "warn", "error"]);
  const byDefault = recording();
  byDefault.logger.debug("dropped");
  byDefault.logger.info("kept");
  assert.deepEqual(byDefault.records.map((record) => record.msg), ["kept"]);
});

Deno.test("Logger.child() adds its fields to every line; a line's own fields win", () => {
  const { records, logger } = recording();
  const request = logger.child({ requestId: "r-1", node: "a" });
  const job = request.child({ jobId: "j1" });
  job.info("started", { node: "b", type: "email" });
  logger.info("plain");
  assert.deepEqual(records[0].fields, { requestId: "r-1", node: "b", jobId: "j1", type: "email" });
  assert.deepEqual(records[1].fields, {});
  assert.equal(job.level, "info");
});

Deno.test("Logger stamps each record with the time it was written", () => {
  const { records, logger } = recording();
  const before = Date.now();
  logger.info("now");
  assert.ok(records[0].time.getTime() >= before && records[0].time.getTime() <= Date.now());
});

Deno.test("Logger refuses a level it does not know, naming it", () => {
  assert.throws(
    () => new Logger({ level: "verbose" as Logger["level"] }),
    /level must be one of debug, info, warn, error, received "verbose"/,
  );
});

Deno.test("createLogger() puts the host name on every line as node", () => {
  const records: LogRecord[] = [];
  createLogger({ sink: (record) => records.push(record) }).info("hello");
  // Run with --allow-sys or --allow-read: one of them lets the host name be read.
  assert.equal(records[0].fields.node, Deno.hostname());
});
