import assert from "node:assert/strict";
import {
  errorFields,
  jsonLine,
  type LogRecord,
  prettyLine,
} from "../../queue/primitives/log_line.ts";

const TIME = new Date("2026-11-29T17:00:00.000Z");

function record(fields: Record<string, unknown>, level: LogRecord["level"] = "info"): LogRecord {
  return { time: TIME, level, msg: "Worker w1 crashed", fields };
}

/** An error with a known stack, so that lines can be compared whole. */
function boom(): Error {
  const error = new TypeError("boom");
  error.stack =
    "TypeError: boom\n    at run (file:///srv/a.ts:1:1)\n    at main (file:///srv/b.ts:2:2)";
  return error;
}

Deno.test("jsonLine() writes time, level and msg first, then the fields, on one line", () => {
  const line = jsonLine(record({ requestId: "r-1", jobId: "j1", attempts: 2, gone: undefined }));
  assert.equal(
    line,
    '{"time":"2026-11-29T17:00:00.000Z","level":"info","msg":"Worker w1 crashed",' +
      '"requestId":"r-1","jobId":"j1","attempts":2}',
  );
  assert.deepEqual(Object.keys(JSON.parse(line)), [
    "time",
    "level",
    "msg",
    "requestId",
    "jobId",
    "attempts",
  ]);
});

Deno.test("jsonLine() keeps an error's name, message and stack in one field, on one line", () => {
  const line = jsonLine(record({ error: boom() }, "error"));
  assert.ok(!line.includes("\n"), line);
  const parsed = JSON.parse(line);
  assert.deepEqual(parsed.error, {
    name: "TypeError",
    message: "boom",
    stack: boom().stack,
  });
});

Deno.test("jsonLine() never throws: a cycle, a bigint, a field named like a base key", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const parsed = JSON.parse(
    jsonLine(
      record({ cycle, big: 10n, level: "forged", msg: "forged", nested: { error: boom() } }),
    ),
  );
  assert.match(parsed.cycle, /^\[unserializable: /);
  assert.equal(parsed.big, "10");
  assert.equal(parsed.level, "info");
  assert.equal(parsed.msg, "Worker w1 crashed");
  assert.equal(parsed.nested.error.message, "boom");
});

Deno.test("prettyLine() writes TIME LEVEL msg key=value, quoting values with spaces", () => {
  assert.equal(
    prettyLine(
      record({ worker: "w1", reason: "the worker ended", count: 3, ids: ["a", "b"] }, "warn"),
    ),
    '2026-11-29T17:00:00.000Z WARN  Worker w1 crashed worker=w1 reason="the worker ended" ' +
      'count=3 ids=["a","b"]',
  );
});

Deno.test("prettyLine() shows an error as its name and message, its stack frames below", () => {
  assert.equal(
    prettyLine(record({ error: boom(), jobId: "j1" }, "error")),
    '2026-11-29T17:00:00.000Z ERROR Worker w1 crashed error="TypeError: boom" jobId=j1\n' +
      "    at run (file:///srv/a.ts:1:1)\n" +
      "    at main (file:///srv/b.ts:2:2)",
  );
});

Deno.test("errorFields() keeps a code and the cause, and names what is not an Error", () => {
  const cause = Object.assign(new Error("disk full"), { code: "SQLITE_FULL" });
  const fields = errorFields(new Error("could not commit", { cause }));
  assert.equal(fields.message, "could not commit");
  assert.deepEqual(
    { ...(fields.cause as Record<string, unknown>), stack: undefined },
    { name: "Error", message: "disk full", code: "SQLITE_FULL", stack: undefined },
  );
  assert.deepEqual(errorFields(42), { name: "number", message: "42" });
});
