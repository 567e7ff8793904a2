import assert from "node:assert/strict";
import { exposureProblem, insecure, isLoopback } from "../../../api/auth/exposure.ts";

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
