/**
 * On a terminal, Deno asks the person at it whether to grant a permission a thread lacks, and a
 * sandboxed worker's permissions read "prompt": a handler reaching past its declaration would
 * ask the server's console. The start task runs with --no-prompt: the attempt fails at once with
 * NotCapable instead. Run here on a pseudo-terminal (`script`), exactly as the README says.
 */

import assert from "node:assert/strict";
import { freePort } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const HANDLERS = new URL("../fixtures/sandbox/handlers.ts", import.meta.url).pathname;

Deno.test({
  name: "deno task start on a terminal never prompts: an undeclared read fails with NotCapable",
  fn: async () => {
    const port = freePort();
    const command = `${Deno.execPath()} task start --store memory --port ${port} ` +
      `--handlers ${HANDLERS}`;
    const child = new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      cwd: ROOT,
      stdin: "piped", // A terminal whose person never answers.
      stdout: "null",
      stderr: "null",
      env: { NO_COLOR: "1", DQ_SANDBOX_SECRET: "not for undeclared eyes" },
    }).spawn();
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(async () => {
        const answer = await fetch(`${url}/healthz`).catch(() => undefined);
        await answer?.body?.cancel();
        return answer?.ok;
      }, { timeout: 30_000, message: "the server to listen" });
      const created = await fetch(`${url}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "s-reads-env", payload: { name: "DQ_SANDBOX_SECRET" } }),
      });
      assert.equal(created.status, 201);
      const { id } = await created.json();
      const job = await waitFor(async () => {
        const found = await (await fetch(`${url}/api/jobs/${id}`)).json();
        return found.status === "failed" ? found : undefined;
      }, { timeout: 10_000, message: "the job to fail, not wait on a prompt" });
      assert.match(job.error, /^NotCapable: Requires env access to "DQ_SANDBOX_SECRET"/);
    } finally {
      // The server stops with its starter (DENOQUEUE_STOP_WITH_ANCESTOR in the start task).
      child.kill("SIGTERM");
      await child.stdin.close().catch(() => {});
      await child.status;
      await waitFor(async () => {
        const answer = await fetch(`${url}/healthz`).catch(() => undefined);
        await answer?.body?.cancel();
        return answer === undefined;
      }, { timeout: 15_000, message: "the server to stop with its starter" });
    }
  },
});
