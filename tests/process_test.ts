/**
 * The real process: start `main.ts`, run jobs over HTTP, send SIGTERM, see a clean exit.
 */

import assert from "node:assert/strict";
import { HoldServer } from "./support/hold.ts";
import { runService, startService } from "./support/process.ts";
import { waitFor } from "./support/wait.ts";

async function json(response: Response) {
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

Deno.test("main.ts serves jobs over HTTP and exits 0 on SIGTERM", async () => {
  const service = await startService(["--workers", "2", "--demo-speed", "0.001"]);
  try {
    const post = (path: string, body: unknown) =>
      fetch(service.url + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const created = await Promise.all([
      post("/api/enqueue", { type: "email", payload: "hello" }).then(json),
      post("/api/jobs", [{ type: "noop", payload: {} }, { type: "sms", payload: { to: "1" } }])
        .then(json),
    ]);
    const ids = [created[0].id, ...created[1].map((job: { id: string }) => job.id)];
    assert.equal(ids.length, 3);
    for (const id of ids) {
      const job = await waitFor(async () => {
        const job = await fetch(`${service.url}/api/jobs/${id}`).then(json);
        return job.status === "completed" ? job : undefined;
      });
      assert.equal(job.attempts.length, 1);
    }
    const health = await fetch(service.url + "/healthz");
    assert.equal(health.status, 200);
    await health.body?.cancel();
    service.child.kill("SIGTERM");
    const status = await service.exited;
    assert.equal(status.code, 0, service.lines.join("\n"));
    assert.ok(service.lines.some((line) => line.includes("Stopping on SIGTERM")));
    assert.ok(service.lines.some((line) => line.includes("Stopped")));
  } finally {
    try {
      service.child.kill("SIGKILL");
    } catch { /* exited already */ }
    await service.exited;
  }
});

Deno.test("main.ts on SIGTERM lets a running job finish within the grace period", async () => {
  await using hold = HoldServer.start();
  const service = await startService([
    "--workers",
    "1",
    "--shutdown-grace",
    "10s",
    "--http-allow",
    hold.allow,
  ]);
  try {
    const created = await fetch(service.url + "/api/jobs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "http", payload: hold.payload("running") }),
    }).then(json);
    await waitFor(async () =>
      (await fetch(`${service.url}/api/jobs/${created.id}`).then(json)).status === "in-progress"
    );
    service.child.kill("SIGTERM");
    // The job runs until the shutdown has begun, then finishes within the grace period.
    await waitFor(() => service.lines.some((line) => /running job\(s\) get up to/.test(line)), {
      message: "the shutdown to give the running job its grace period",
    });
    hold.release("running");
    const status = await service.exited;
    assert.equal(status.code, 0);
    assert.ok(
      service.lines.some((line) => /1 running job\(s\) get up to 10000 ms/.test(line)),
      service.lines.join("\n"),
    );
    assert.ok(!service.lines.some((line) => /Cancelled/.test(line)), "the job finished in time");
  } finally {
    try {
      service.child.kill("SIGKILL");
    } catch { /* exited already */ }
    await service.exited;
  }
});

Deno.test("main.ts refuses a bad option with a message naming it and exit code 2", async () => {
  const { code, output } = await runService(["--capacity", "lots"]);
  assert.equal(code, 2);
  assert.match(
    output,
    /^Invalid --capacity: must be a whole number from 1 to 100000000, received "lots"$/m,
  );
  const env = await runService(["--enqueue-wait", "soon"]);
  assert.equal(env.code, 2);
  assert.match(env.output, /--enqueue-wait/);
  const unknown = await runService(["--colour", "blue"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.output, /^Invalid --colour: is not an option \(see --help\)$/m);
});

Deno.test("main.ts --help lists every option with its environment variable", async () => {
  const { code, output } = await runService(["--help"]);
  assert.equal(code, 0);
  for (const name of ["--port", "--capacity", "--enqueue-wait", "DENOQUEUE_DEMO_SPEED"]) {
    assert.ok(output.includes(name), `--help mentions ${name}`);
  }
});
