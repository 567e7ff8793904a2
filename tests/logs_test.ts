/**
 * The real process's log: with its output piped (not a terminal) every stdout line is one JSON
 * object, a request's lines carry its id, and `--log-level` drops what is below it.
 */

import assert from "node:assert/strict";
import { FIXTURES } from "./fixtures/handlers.ts";
import { freePort, type ServiceProcess, startService } from "./support/process.ts";
import { waitFor } from "./support/wait.ts";

const LEVELS = ["debug", "info", "warn", "error"];

/** Sends SIGTERM, waits for the exit, and returns the stdout lines parsed, asserting each is JSON. */
async function stopAndReadLog(service: ServiceProcess): Promise<Record<string, unknown>[]> {
  service.child.kill("SIGTERM");
  const status = await service.exited;
  assert.equal(status.code, 0, service.lines.join("\n"));
  return service.stdout.map((line) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch {
      assert.fail(`not a JSON line: ${line}`);
    }
    assert.ok(!Number.isNaN(Date.parse(record.time as string)), `time: ${line}`);
    assert.ok(LEVELS.includes(record.level as string), `level: ${line}`);
    assert.equal(typeof record.msg, "string", line);
    if (Deno.build.os === "linux") assert.equal(typeof record.node, "string", line);
    return record;
  });
}

Deno.test("main.ts with stdout piped writes one JSON object per line, with request ids", async () => {
  const service = await startService(["--workers", "1", "--log-level", "debug"]);
  try {
    const answer = await fetch(`${service.url}/api/jobs/nope`, {
      headers: { "X-Request-Id": "trace-proc" },
    });
    assert.equal((await answer.json()).error.requestId, "trace-proc");
    const log = await stopAndReadLog(service);
    const messages = log.map((record) => record.msg);
    assert.ok(
      messages.some((msg) => /^DenoQueue listening on /.test(msg as string)),
      messages.join("\n"),
    );
    assert.ok(messages.includes("Stopped"), messages.join("\n"));
    const [access] = log.filter((record) => record.requestId === "trace-proc");
    assert.deepEqual(
      { ...access, time: undefined, node: undefined, ms: typeof access.ms },
      {
        time: undefined,
        level: "debug",
        msg: "GET /api/jobs/nope 404",
        node: undefined,
        requestId: "trace-proc",
        method: "GET",
        path: "/api/jobs/nope",
        status: 404,
        ms: "number",
      },
    );
  } finally {
    try {
      service.child.kill("SIGKILL");
    } catch { /* exited already */ }
    await service.exited;
  }
});

Deno.test("main.ts --log-level warn writes no info lines, and its warnings name the job", async () => {
  const service = await startService([
    "--port",
    String(freePort()),
    "--log-level",
    "warn",
    "--workers",
    "1",
    "--handlers",
    FIXTURES,
    "--shutdown-grace",
    "0",
    "--kill-grace",
    "0",
  ]);
  try {
    // A job that ignores its signal is still running at shutdown: the memory store cancels it.
    const job = await fetch(`${service.url}/api/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "t-ignores", payload: {} }),
    }).then((answer) => answer.json());
    await waitFor(async () => {
      const now = await fetch(`${service.url}/api/jobs/${job.id}`).then((answer) => answer.json());
      return now.status === "in-progress";
    }, { message: "the job to run" });
    const log = await stopAndReadLog(service);
    assert.deepEqual(
      log.filter((record) => record.level === "debug" || record.level === "info"),
      [],
      "info lines are dropped at warn",
    );
    assert.deepEqual(
      log.map((record) => [record.level, record.msg, record.jobId, record.type]),
      [[
        "warn",
        "Cancelled 1 unfinished job(s): the memory store keeps nothing",
        job.id,
        "t-ignores",
      ]],
    );
  } finally {
    try {
      service.child.kill("SIGKILL");
    } catch { /* exited already */ }
    await service.exited;
  }
});
