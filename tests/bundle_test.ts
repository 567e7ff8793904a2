/**
 * The single-executable property, proven without `deno compile` (which must download its base
 * binary): `deno task bundle`, its files (the entries of the server, the worker, the WAL
 * checkpointer and what handler modules import, the chunks they share, and the import map
 * naming the handlers' import) copied alone into an empty folder, run with an empty
 * module cache and no config; then the API, a job through a worker, the dashboard, and the
 * README's handler module loaded from a folder of its own.
 */

import assert from "node:assert/strict";
import { waitFor } from "./support/wait.ts";

const ROOT = new URL("../", import.meta.url);
/** The entries by name; the chunks they share are named by their hash. */
const ENTRIES = ["checkpointer.js", "denoqueue.js", "handler_api.js", "worker.js"];
const README_HANDLERS = new URL("./fixtures/readme_handlers.ts", import.meta.url);

/** The bundle's run command, as the README gives it, in `folder` with its own module cache. */
function bundleCommand(folder: string, cache: string, args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-config",
      "--no-prompt",
      "--unstable-worker-options",
      "--unstable-no-legacy-abort",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      ...args,
    ],
    cwd: folder,
    env: { DENO_DIR: cache, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  });
}

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
  // The user's handler module, in a folder of its own: the README's, word for word.
  const mine = await Deno.makeTempDir({ prefix: "denoqueue-handlers-" });
  const handlers = `${mine}/my_handlers.ts`;
  await Deno.copyFile(README_HANDLERS, handlers);
  // What the README says to copy: dist/*.js and dist/import_map.json.
  const files = [...Deno.readDirSync(new URL("dist/", ROOT))].map((entry) => entry.name)
    .filter((name) => name.endsWith(".js") || name === "import_map.json");
  for (const file of files) {
    await Deno.copyFile(new URL(`dist/${file}`, ROOT), `${folder}/${file}`);
  }
  for (const entry of [...ENTRIES, "import_map.json"]) assert.ok(files.includes(entry), entry);
  assert.ok(files.some((name) => /^chunk-\w+\.js$/.test(name)), "the shared chunks");

  // Without the import map, the handler module's import is refused in one line that says why.
  const unmapped = await bundleCommand(folder, cache, [
    "denoqueue.js",
    "--port",
    "0",
    "--handlers",
    handlers,
  ]).output();
  const refusal = new TextDecoder().decode(unmapped.stderr).trim();
  assert.equal(unmapped.code, 2, refusal);
  assert.match(refusal, /^Cannot load the handler module .*my_handlers\.ts: .*"denoqueue"/);
  assert.match(refusal, /--import-map import_map\.json/);

  const child = bundleCommand(folder, cache, [
    "--import-map",
    "import_map.json",
    "denoqueue.js",
    "--port",
    "0",
    "--workers",
    "1",
    "--handlers",
    handlers,
  ]).spawn();
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

    const post = (type: string, payload: unknown) =>
      fetch(`${base}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type, payload }),
      });
    const final = (id: string, status: string) =>
      waitFor(async () => {
        const job = await fetch(`${base}/api/jobs/${id}`).then((r) => r.json());
        return job.status === status ? job : undefined;
      });

    const created = await post("sleep", { ms: 5 }).then((r) => r.json());
    const job = await final(created.id, "completed");
    assert.deepEqual(job.result, { sleptMs: 5 });
    assert.equal(job.attempts[0].workerId, "w1");

    // The handler module's own zod validates at enqueue, on the main thread.
    const bad = await post("welcome-email", { to: "not-an-email", name: "Ada" });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.details.field, "payload.to");
    // It runs in the worker; its UnrecoverableError (its copy of the library, not the
    // worker's) still fails the job at once.
    const welcome = await post("welcome-email", { to: "ada@example.com", name: "Ada" })
      .then((r) => r.json());
    const never = await post("welcome-email", { to: "x@example.invalid", name: "X" })
      .then((r) => r.json());
    assert.deepEqual((await final(welcome.id, "completed")).result, { delivered: true });
    const failed = await final(never.id, "failed");
    assert.equal(failed.attempts.length, 1);
    assert.equal(failed.error, "This address can never receive mail");

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
    for (const dir of [folder, cache, mine]) await Deno.remove(dir, { recursive: true });
    assert.equal(status.code, 0, output.join(""));
  }
});
