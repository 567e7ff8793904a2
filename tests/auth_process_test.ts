/**
 * Authentication in the real process: a public bind without a master key is refused at start
 * (one line naming --master-key, exit 2); with a key, a request without one gets 401 and with
 * it 200, and a key made with the master key works for its role; the README's curl session runs
 * as written.
 */

import assert from "node:assert/strict";
import { runService, startService } from "./support/process.ts";
import { readmeCommands } from "./support/readme_commands.ts";

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

Deno.test("README's Keys and roles session runs as written: a producer key enqueues, is refused a clear, is revoked", async () => {
  const readme = Deno.readTextFileSync(new URL("../README.md", import.meta.url));
  const from = readme.split("\n").findIndex((line) => line === "### Keys and roles") + 1;
  const to = readme.split("\n").findIndex((line, i) => i >= from && line.startsWith("#"));
  const session = readmeCommands(readme).filter(({ line }) => line > from && line < to);
  assert.equal(session[0].text, 'DENOQUEUE_MASTER_KEY="$MASTER_KEY" npx -y deno@2.9.6 task start');
  const curls = session.slice(1);
  assert.equal(curls.length, 6, JSON.stringify(curls));
  // The start command, with this checkout's main.ts for npx's Deno: the master key from the env.
  const service = await startService(["--master-key", MASTER]);
  const env: Record<string, string> = { MASTER_KEY: MASTER, KEY: "", PATH: Deno.env.get("PATH")! };
  let keyId = "";
  try {
    for (const { text, comment } of curls) {
      const command = text.replace("localhost:8080", service.url.replace("http://", ""))
        .replace("KEY_ID", keyId) + " -w '\\n%{http_code}'";
      const { code, stdout } = await new Deno.Command("sh", {
        args: ["-c", command],
        env,
        clearEnv: true,
      }).output();
      const output = new TextDecoder().decode(stdout);
      assert.equal(code, 0, `${text}: curl failed`);
      const cut = output.lastIndexOf("\n");
      const [body, status] = [output.slice(0, cut), Number(output.slice(cut + 1))];
      assert.equal(status, Number(/^(\d{3})/.exec(comment)?.[1]), `${text}: ${body}`);
      const answer = JSON.parse(body);
      for (const [, field] of comment.matchAll(/"(\w+)":/g)) {
        assert.ok(field in answer, `${text}: no ${field} in ${body}`);
      }
      if (text.includes('-d \'{"name"')) {
        env.KEY = answer.secret;
        keyId = answer.key.id;
        assert.match(env.KEY, /^dq_/);
      }
      if (text.startsWith("curl -s localhost:8080/api/keys ")) {
        assert.ok(!body.includes(env.KEY.slice(20)), "the list shows no secret");
      }
    }
  } finally {
    service.child.kill("SIGTERM");
    await service.exited;
  }
});
