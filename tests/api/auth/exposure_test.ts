import assert from "node:assert/strict";
import { exposureProblem, insecure, isLoopback } from "../../../api/auth/exposure.ts";
import { createServer, ExposureError } from "../../../api/server.ts";
import { MemoryStore } from "../../../queue/store/memory/memory_store.ts";
import { TEST_SERVER_OPTIONS } from "../../support/api_server.ts";
import { captureLog } from "../../support/log_capture.ts";

Deno.test("isLoopback() knows 127.0.0.0/8, ::1 and localhost, and nothing else", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"]) {
    assert.ok(isLoopback(host), host);
  }
  for (
    const host of [
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "127.0.0.256",
      "127.0.0",
      "queue.example",
      "128.0.0.1",
    ]
  ) {
    assert.ok(!isLoopback(host), host);
  }
});

Deno.test("exposureProblem() refuses a public bind without a master key, naming --master-key", () => {
  const problem = exposureProblem({ host: "0.0.0.0" });
  assert.match(
    problem ?? "",
    /^Refusing to listen on 0\.0\.0\.0 without authentication: .*--master-key/,
  );
  assert.equal(exposureProblem({ host: "0.0.0.0", masterKey: "k".repeat(16) }), undefined);
  assert.equal(exposureProblem({ host: "0.0.0.0", insecureNoAuth: true }), undefined);
  assert.equal(exposureProblem({ host: "127.0.0.1" }), undefined);
  assert.ok(insecure({ host: "0.0.0.0", insecureNoAuth: true }));
  assert.ok(!insecure({ host: "127.0.0.1", insecureNoAuth: true }), "loopback is not insecure");
  assert.ok(!insecure({ host: "0.0.0.0", insecureNoAuth: true, masterKey: "k".repeat(16) }));
});

Deno.test("createServer() refuses a public host without a key, and warns at start with --insecure-no-auth", async () => {
  await assert.rejects(
    createServer({ store: new MemoryStore(), host: "0.0.0.0", logger: captureLog().logger }),
    (error) => error instanceof ExposureError && /--master-key/.test(error.message),
  );
  const log = captureLog();
  const server = await createServer({
    ...TEST_SERVER_OPTIONS,
    store: new MemoryStore(),
    host: "0.0.0.0",
    insecureNoAuth: true,
    logger: log.logger,
  });
  try {
    const warnings = log.records.filter((record) => record.level === "warn");
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0].msg,
      /^Authentication is off \(--insecure-no-auth\) and the server listens on 0\.0\.0\.0/,
    );
  } finally {
    await server.shutdown();
  }
});
