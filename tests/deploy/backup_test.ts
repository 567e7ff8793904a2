/**
 * `deno task backup` copies a SQLite store while a real server writes to it: the copy opens as
 * a store and holds every job acknowledged before it began; a bad flag or an existing target
 * is refused, naming the flag.
 */

import assert from "node:assert/strict";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import { type ServiceProcess, startService } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";

const TASK = new URL("../../deploy/backup.ts", import.meta.url).pathname;

/** Runs the backup task with `args`; its exit code and output. */
async function backup(...args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", TASK, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

/** Enqueues batches of 50 scheduled jobs until `stop()`; the ids acknowledged, in order. */
function keepWriting(server: ServiceProcess) {
  const acknowledged: string[] = [];
  let stopped = false;
  const job = { type: "noop", payload: { pad: "x".repeat(200) }, options: { delay: 3_600_000 } };
  const done = (async () => {
    while (!stopped) {
      const response = await fetch(`${server.url}/api/jobs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Array.from({ length: 50 }, () => job)),
      });
      assert.equal(response.status, 201);
      for (const { id } of await response.json()) acknowledged.push(id);
    }
  })();
  return { acknowledged, stop: () => (stopped = true, done) };
}

Deno.test("deno task backup copies a SQLite store while a server writes to it", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-backup-" });
  const path = `${dir}/jobs.db`;
  const server = await startService(["--store", `sqlite:${path}`, "--capacity", "1000000"]);
  const writing = keepWriting(server);
  try {
    await waitFor(() => writing.acknowledged.length >= 2_000, { message: "2,000 jobs written" });
    const before = [...writing.acknowledged];
    const result = await backup("--store", `sqlite:${path}`, "--to", `${dir}/copy.db`);
    assert.equal(result.code, 0, result.output);
    const jobs = Number(/: (\d+) job\(s\)/.exec(result.output)?.[1]);
    assert.ok(jobs >= before.length, result.output);
    const written = writing.acknowledged.length;
    assert.ok(written > before.length, "the server went on writing meanwhile");
    console.log(`${result.output.trim()} (acknowledged before: ${before.length})`);

    const again = await backup("--store", `sqlite:${path}`, "--to", `${dir}/copy.db`);
    assert.equal(again.code, 1);
    assert.match(again.output, /--to: .*exists already/);
    const bad = await backup("--store", path, "--to", `${dir}/other.db`);
    assert.equal(bad.code, 1);
    assert.match(bad.output, /--store must be sqlite:PATH/);
  } finally {
    await writing.stop();
    server.child.kill("SIGTERM");
    await server.exited;
  }
  // The copy opens as a store (its own lock file: the server's is on the original).
  const copy = SqliteStore.open(`${dir}/copy.db`);
  try {
    const counts = await copy.counts();
    assert.ok(counts.byStatus.scheduled >= 2_000);
    const [first] = await copy.list({ limit: 1, status: "scheduled", beforeSeq: 2 });
    assert.equal(first.type, "noop");
  } finally {
    await copy.close();
  }
});
