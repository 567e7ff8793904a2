/**
 * `deno task migrate` on a real SQLite file made by a real server (jobs in every status, their
 * attempts, a retry link, API keys) into a private PostgreSQL cluster: it refuses while a
 * server uses either side, moves everything once both are free, and a server on PostgreSQL
 * then shows the same jobs and accepts the same key.
 */

import assert from "node:assert/strict";
import { FIXTURES } from "../fixtures/handlers.ts";
import { MASTER_KEY } from "../support/auth.ts";
import { postgresCluster } from "../support/postgres.ts";
import { type ServiceProcess, startService } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";

const TASK = new URL("../../deploy/migrate.ts", import.meta.url).pathname;

/** Runs the migrate task with `args`; its exit code and output. */
async function migrate(...args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", TASK, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

/** `fetch` on the server as the master key, the answer's JSON. */
async function call(
  server: ServiceProcess,
  path: string,
  init: RequestInit = {},
  key = MASTER_KEY,
) {
  const response = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  });
  return { status: response.status, body: await response.json() };
}

async function enqueue(server: ServiceProcess, job: unknown) {
  const { status, body } = await call(server, "/api/jobs", {
    method: "POST",
    body: JSON.stringify(job),
  });
  assert.equal(status, 201, JSON.stringify(body));
  return body as { id: string; status: string };
}

type JobDetail = { id: string; status: string; attempts: unknown[]; retriedBy?: string };

/** Every job in full, newest first, read with `key`. */
async function details(server: ServiceProcess, key = MASTER_KEY): Promise<JobDetail[]> {
  const { body: list } = await call(server, "/api/jobs?limit=1000", {}, key);
  const jobs: JobDetail[] = [];
  for (const { id } of list) jobs.push((await call(server, `/api/jobs/${id}`, {}, key)).body);
  return jobs;
}

async function stop(server: ServiceProcess, signal: Deno.Signal) {
  server.child.kill(signal);
  return await server.exited;
}

/** A SQLite store with a job in every status, and keys: what a real server leaves behind. */
async function sqliteMadeByServer(path: string) {
  const server = await startService([
    ...["--store", `sqlite:${path}`, "--handlers", FIXTURES, "--master-key", MASTER_KEY],
    // One place and nothing claimed ahead: a job behind a running one stays queued.
    ...["--workers", "1", "--concurrency", "1", "--claim-ahead", "0"],
  ]);
  const done = await enqueue(server, { type: "t-succeeds", payload: { value: 2 } });
  const failed = await enqueue(server, {
    type: "t-throws",
    payload: {},
    options: { maxAttempts: 2, backoff: { base: 0 } },
  });
  await waitFor(
    async () => (await call(server, `/api/jobs/${failed.id}`)).body.status === "failed",
    { timeout: 20_000, message: "the failing job to fail" },
  );
  await waitFor(
    async () => (await call(server, `/api/jobs/${done.id}`)).body.status === "completed",
    { message: "the job to complete" },
  );
  const later = await enqueue(server, {
    type: "t-succeeds",
    payload: { value: 3 },
    options: { delay: 3_600_000 },
  });
  const cancelled = await enqueue(server, {
    type: "t-succeeds",
    payload: { value: 4 },
    options: { delay: 3_600_000 },
  });
  assert.equal(
    (await call(server, `/api/jobs/${cancelled.id}/cancel`, { method: "POST" })).status,
    200,
  );
  const retry = await call(server, `/api/jobs/${failed.id}/retry`, { method: "POST" });
  assert.equal(retry.status, 201, JSON.stringify(retry.body));
  // The one worker waits on this one, so the retry and the next job stay queued.
  const running = await enqueue(server, { type: "t-waits", payload: {} });
  await waitFor(
    async () => (await call(server, `/api/jobs/${running.id}`)).body.status === "in-progress",
    { message: "the waiting job to run" },
  );
  const queued = await enqueue(server, { type: "t-succeeds", payload: { value: 5 } });
  const made = await call(server, "/api/keys", {
    method: "POST",
    body: JSON.stringify({ name: "ops", role: "admin" }),
  });
  assert.equal(made.status, 201);
  const revoked = await call(server, "/api/keys", {
    method: "POST",
    body: JSON.stringify({ name: "old", role: "viewer" }),
  });
  assert.equal(
    (await call(server, `/api/keys/${revoked.body.key.id}`, { method: "DELETE" })).status,
    200,
  );
  const jobs = await details(server);
  return {
    server,
    jobs,
    secret: made.body.secret as string,
    ids: { done, failed, later, cancelled, running, queued, retry: retry.body },
  };
}

Deno.test("deno task migrate moves a real SQLite store into PostgreSQL, refusing stores in use", async () => {
  const cluster = await postgresCluster();
  const target = await cluster.createDatabase();
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-migrate-" });
  const path = `${dir}/jobs.db`;
  const made = await sqliteMadeByServer(path);
  const statuses = new Set(made.jobs.map((job) => job.status));
  assert.deepEqual([...statuses].sort(), [
    "cancelled",
    "completed",
    "failed",
    "in-progress",
    "queued",
    "scheduled",
  ]);

  // The SQLite server still runs: refused, nothing written.
  const busySqlite = await migrate("--from", `sqlite:${path}`, "--to", target);
  assert.equal(busySqlite.code, 1, busySqlite.output);
  assert.match(busySqlite.output, /--from: .*locked.*another DenoQueue/);
  // A process that dies leaves its lock behind it: kill -9, like a crash.
  assert.equal((await stop(made.server, "SIGKILL")).signal, "SIGKILL");

  // A PostgreSQL server on the target schema: refused too.
  const pgServer = await startService(["--store", target, "--master-key", MASTER_KEY]);
  try {
    const busyPg = await migrate("--from", `sqlite:${path}`, "--to", target);
    assert.equal(busyPg.code, 1, busyPg.output);
    assert.match(busyPg.output, /--to .*a DenoQueue server is using schema denoqueue/);
  } finally {
    assert.equal((await stop(pgServer, "SIGTERM")).code, 0);
  }
  assert.equal(
    await cluster.psql("SELECT count(*) FROM denoqueue.jobs", new URL(target).pathname.slice(1)),
    "0\n",
  );

  // Bad flags name the flag.
  const bad = await migrate("--from", path, "--to", target);
  assert.equal(bad.code, 1);
  assert.match(bad.output, /--from must be sqlite:PATH/);

  const moved = await migrate("--from", `sqlite:${path}`, "--to", target);
  assert.equal(moved.code, 0, moved.output);
  const attempts = made.jobs.reduce((sum, job) => sum + job.attempts.length, 0);
  assert.match(
    moved.output,
    new RegExp(
      `Moved ${made.jobs.length} job\\(s\\) .*, ${attempts} attempt\\(s\\) and 2 key\\(s\\)`,
    ),
  );
  console.log(moved.output.trim());

  // Into a schema that holds jobs: refused.
  const again = await migrate("--from", `sqlite:${path}`, "--to", target);
  assert.equal(again.code, 1);
  assert.match(again.output, /holds \d+ job\(s\) and 2 key\(s\) already/);

  // A server on PostgreSQL: the same jobs, the same key. Its lease is short, so the job that
  // ran when the SQLite server died is rescued soon.
  const server = await startService([
    ...["--store", target, "--handlers", FIXTURES, "--master-key", MASTER_KEY, "--lease", "1s"],
  ]);
  try {
    const after = await details(server, made.secret);
    assert.deepEqual(after.map((job) => job.id), made.jobs.map((job) => job.id));
    // Jobs that no server moves now are as they were, field for field; the others may run.
    const still = (jobs: JobDetail[]) =>
      jobs.filter((job) => ["completed", "failed", "cancelled", "scheduled"].includes(job.status));
    assert.deepEqual(
      still(
        after.filter((job) => made.jobs.some((j) => j.id === job.id && j.status === job.status)),
      ),
      still(made.jobs),
    );
    assert.equal(still(made.jobs).length, 4);
    const failed = after.find((job) => job.id === made.ids.failed.id)!;
    assert.equal(failed.attempts.length, 2);
    assert.equal(failed.retriedBy, made.ids.retry.id);
    const keys = await call(server, "/api/keys", {}, made.secret);
    assert.equal(keys.status, 200, "the migrated key authenticates");
    assert.ok(
      keys.body.some((key: { name: string; revokedAt?: string }) =>
        key.name === "old" && key.revokedAt
      ),
    );
    // The queued jobs run on PostgreSQL; the one running at the crash is rescued and runs.
    await waitFor(
      async () =>
        (await call(server, `/api/jobs/${made.ids.queued.id}`)).body.status === "completed",
      { timeout: 20_000, message: "the queued job to run on PostgreSQL" },
    );
    await waitFor(
      async () =>
        (await call(server, `/api/jobs/${made.ids.running.id}`)).body.attempts.length === 2,
      { timeout: 20_000, message: "the interrupted job to run again" },
    );
  } finally {
    server.child.kill("SIGKILL");
    await server.exited;
  }
});
