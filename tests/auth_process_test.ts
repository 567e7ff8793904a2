/**
 * Authentication in the real process: a public bind without a master key is refused at start
 * (one line naming --master-key, exit 2); with a key, a request without one gets 401 and with
 * it 200, and a key made with the master key works for its role.
 */

import assert from "node:assert/strict";
import { runService, startService } from "./support/process.ts";

const MASTER = "process-test-master-key-0123456789";

Deno.test("main.ts refuses to listen on 0.0.0.0 without a master key, naming --master-key (exit 2)", async () => {
  for (const args of [["--host", "0.0.0.0"], ["--host", "::"], ["--host", "192.0.2.7"]]) {
    const { code, output } = await runService(["--store", "memory", "--port", "0", ...args]);
    const lines = output.trim().split("\n");
    assert.equal(code, 2, output);
    assert.equal(lines.length, 1, `one line, no stack trace:\n${output}`);
    assert.match(
      lines[0],
      new RegExp(
        `^Refusing to listen on ${
          args[1].replaceAll(".", "\\.")
        } without authentication: .*--master-key`,
      ),
    );
  }
});

Deno.test("main.ts refuses a master key shorter than 16 characters, without quoting it (exit 2)", async () => {
  const { code, output } = await runService(["--store", "memory", "--master-key", "tooshort"]);
  assert.equal(code, 2, output);
  assert.equal(output.trim(), "Invalid --master-key: must be at least 16 characters, received 8");
});

Deno.test("With --master-key, a request without a key gets 401 and with it 200; a producer key enqueues and cannot clear", async () => {
  const service = await startService(["--master-key", MASTER]);
  try {
    assert.match(service.lines.join("\n"), /authentication on/);
    const without = await fetch(`${service.url}/api/stats`);
    assert.equal(without.status, 401);
    assert.equal((await without.json()).error.code, "unauthorized");
    const auth = { authorization: `Bearer ${MASTER}` };
    const withKey = await fetch(`${service.url}/api/stats`, { headers: auth });
    assert.equal(withKey.status, 200);
    await withKey.body?.cancel();
    const health = await fetch(`${service.url}/healthz`);
    assert.equal(health.status, 200, "health probes stay open");
    await health.body?.cancel();
    const made = await fetch(`${service.url}/api/keys`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "ci", role: "producer" }),
    });
    assert.equal(made.status, 201);
    const { secret } = await made.json();
    const producer = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    const job = await fetch(`${service.url}/api/jobs`, {
      method: "POST",
      headers: producer,
      body: JSON.stringify({ type: "noop" }),
    });
    assert.equal(job.status, 201);
    await job.body?.cancel();
    const clear = await fetch(`${service.url}/api/clear`, { method: "POST", headers: producer });
    assert.equal(clear.status, 403);
    assert.equal((await clear.json()).error.code, "forbidden");
  } finally {
    service.child.kill("SIGTERM");
    assert.equal((await service.exited).code, 0);
  }
});
