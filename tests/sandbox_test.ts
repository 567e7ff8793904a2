/**
 * Sandboxed handlers, on a real server with its SQLite store: a handler gets exactly what its
 * type declares. Without a declaration, reading the environment, a file, the database (by
 * read, by SQLite, by import) or calling a host fails the attempt with `NotCapable`; the same
 * code with the permission declared succeeds; a module's top level gets nothing either, and
 * never runs on the main thread.
 */

import assert from "node:assert/strict";
import { openStore } from "../queue/store/open.ts";
import { READABLE_FOLDER, SECRET_VARIABLE } from "./fixtures/sandbox/names.ts";
import { type ApiClient, type JobView, withListening } from "./support/api_server.ts";
import { waitFor } from "./support/wait.ts";

const SANDBOX_HANDLERS = new URL("./fixtures/sandbox/handlers.ts", import.meta.url).href;
const TOP_LEVEL = new URL("./fixtures/sandbox/top_level.ts", import.meta.url).href;

/** Runs one job (one attempt) and returns it once completed or failed. */
async function ran(api: ApiClient, type: string, payload: unknown): Promise<JobView> {
  const { id } = await api.enqueue(type, payload);
  return await waitFor(async () => {
    const job = await api.job(id);
    return job.status === "completed" || job.status === "failed" ? job : undefined;
  }, { timeout: 30_000, message: `${type} job ${id} to end` });
}

function assertRefused(job: JobView, pattern: RegExp): void {
  assert.equal(job.status, "failed", JSON.stringify(job));
  assert.match(String(job.error), pattern);
}

Deno.test({
  name: "A sandboxed handler gets only what its type declares",
  // The SQLite store's checkpointer and the test's own HTTP server outlive single steps.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const folder = await Deno.makeTempDir();
    const dbPath = `${folder}/denoqueue.db`;
    await Deno.mkdir(READABLE_FOLDER, { recursive: true });
    const readable = `${READABLE_FOLDER}/note.txt`;
    await Deno.writeTextFile(readable, "declared and read");
    const secret = `sandbox-${crypto.randomUUID()}`;
    Deno.env.set(SECRET_VARIABLE, secret);
    const target = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      () => new Response("reached"),
    );
    try {
      await withListening({
        store: openStore(`sqlite:${dbPath}`),
        handlers: [SANDBOX_HANDLERS, TOP_LEVEL],
        workers: 2,
      }, async (_url, api) => {
        // The environment.
        const env = await ran(api, "s-reads-env", { name: SECRET_VARIABLE });
        assertRefused(env, /^NotCapable: Requires env access to "DQ_SANDBOX_SECRET"/);
        const envDeclared = await ran(api, "s-reads-env-declared", { name: SECRET_VARIABLE });
        assert.deepEqual(envDeclared.result, { value: secret });
        const otherVariable = await ran(api, "s-reads-env-declared", { name: "HOME" });
        assertRefused(otherVariable, /^NotCapable: Requires env access to "HOME"/);

        // A file.
        const file = await ran(api, "s-reads-file", { path: readable });
        assertRefused(file, /^NotCapable: Requires read access to ".*note\.txt"/);
        const fileDeclared = await ran(api, "s-reads-file-declared", { path: readable });
        assert.deepEqual(fileDeclared.result, { text: "declared and read" });
        const passwd = await ran(api, "s-reads-file-declared", { path: "/etc/passwd" });
        assertRefused(passwd, /^NotCapable: Requires read access to "\/etc\/passwd"/);

        // The database and its key store: read, opened with SQLite, imported.
        const db = await ran(api, "s-reads-file", { path: dbPath });
        assertRefused(db, /^NotCapable: Requires read access to ".*denoqueue\.db"/);
        const query = await ran(api, "s-queries-database", { path: dbPath });
        assertRefused(query, /^NotCapable: Requires read access to ".*denoqueue\.db"/);
        const imported = await ran(api, "s-imports-file", { path: dbPath });
        assertRefused(imported, /Requires read access to ".*denoqueue\.db"/);

        // The network: the declared host answers, another name for it is refused.
        const { port } = target.addr;
        const call = await ran(api, "s-fetches", { url: `http://127.0.0.1:${port}/` });
        assert.deepEqual(call.result, { status: 200 });
        const undeclared = await ran(api, "s-fetches", { url: `http://localhost:${port}/` });
        assertRefused(undeclared, /^NotCapable: Requires net access to "localhost:\d+"/);

        // Subprocesses.
        const program = await ran(api, "s-runs-program", {});
        assertRefused(program, /^NotCapable: Requires run access to "true"/);

        // A module's top level: nothing, in its worker; and it never ran here.
        const top = await ran(api, "s-top-level", {});
        assert.match(
          JSON.stringify(top.result),
          /^\{"env":\{"refused":"NotCapable: Requires env access to \\"DQ_SANDBOX_SECRET\\".*"all":\{"refused":"NotCapable: Requires env access/,
        );
        assert.equal(
          (globalThis as { denoqueueSandboxFixtureLoaded?: boolean })
            .denoqueueSandboxFixtureLoaded,
          undefined,
          "a handler module's top level ran on the main thread",
        );

        // Three sets of permissions had work: a worker each; the others started none.
        const { workers } = await api.stats();
        const started = workers.sandboxes.filter((sandbox) => sandbox.workers > 0);
        assert.deepEqual(started.map((sandbox) => sandbox.permissions).sort(), [
          "env=DQ_SANDBOX_SECRET",
          "net=127.0.0.1",
          "none",
          `read=${READABLE_FOLDER}`,
        ]);
        const http = workers.sandboxes.find((sandbox) => sandbox.types.includes("http"));
        assert.deepEqual({ permissions: http?.permissions, workers: http?.workers }, {
          permissions: "net=all",
          workers: 0,
        });
      });
    } finally {
      Deno.env.delete(SECRET_VARIABLE);
      await target.shutdown();
      await Deno.remove(folder, { recursive: true });
      await Deno.remove(READABLE_FOLDER, { recursive: true });
    }
  },
});
