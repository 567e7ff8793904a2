/**
 * The single-executable property, proven without `deno compile` (which must download its base
 * binary): `deno task bundle`, its three files (server, worker, WAL checkpointer) copied alone
 * into an empty folder, run with an empty module cache and no config; then the API, a job
 * through a worker, and the dashboard.
 */

import assert from "node:assert/strict";
import { waitFor } from "./support/wait.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("deno task bundle runs from an empty folder with an empty DENO_DIR", async () => {
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bundle"],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(bundle.code, 0, new TextDecoder().decode(bundle.stderr));

  const folder = await Deno.makeTempDir({ prefix: "denoqueue-bundle-" });
  const cache = await Deno.makeTempDir({ prefix: "denoqueue-deno-dir-" });
  const files = ["checkpointer.js", "denoqueue.js", "worker.js"];
  for (const file of files) {
    await Deno.copyFile(new URL(`dist/${file}`, ROOT), `${folder}/${file}`);
  }
  assert.deepEqual(
    [...Deno.readDirSync(folder)].map((entry) => entry.name).sort(),
    files,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-config",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "denoqueue.js",
      "--port",
      "0",
      "--workers",
      "1",
    ],
    cwd: folder,
    env: { DENO_DIR: cache, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const output: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const drainErr = (async () => {
    for (;;) {
      const { done, value } = await stderr.read();
      if (done) break;
      output.push(value);
    }
  })();
  try {
    let base = "";
    while (!base) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`exited early:\n${output.join("")}`);
      output.push(value);
      base = /listening on (http:\/\/\S+)/.exec(output.join(""))?.[1] ?? "";
    }
    const health = await fetch(`${base}/healthz`);
    assert.deepEqual(await health.json(), { status: "ok" });

    const created = await fetch(`${base}/api/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "sleep", payload: { ms: 5 } }),
    }).then((r) => r.json());
    const job = await waitFor(async () => {
      const job = await fetch(`${base}/api/jobs/${created.id}`).then((r) => r.json());
      return job.status === "completed" ? job : undefined;
    });
    assert.deepEqual(job.result, { sleptMs: 5 });
    assert.equal(job.attempts[0].workerId, "w1");

    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    const script = /src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script, "the page names its script");
    const js = await fetch(`${base}${script}`);
    assert.equal(js.status, 200);
    assert.ok((await js.text()).length > 1000);
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await reader.cancel().catch(() => {});
    await drainErr;
    await Deno.remove(folder, { recursive: true });
    await Deno.remove(cache, { recursive: true });
    assert.equal(status.code, 0, output.join(""));
  }
});
