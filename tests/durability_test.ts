/**
 * Durable by default, tried on the real process: restart after SIGTERM and after `kill -9`,
 * and start-up refusing a database it cannot use.
 */

import assert from "node:assert/strict";
import { Producer } from "../api/client/producer.ts";
import { FIXTURES } from "./fixtures/handlers.ts";
import {
  checkAcknowledged,
  enqueueAll,
  executionCounts,
  postJobs,
  stop,
} from "./support/crash_run.ts";
import { logMessage, runService, startService } from "./support/process.ts";
import { waitFor } from "./support/wait.ts";

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "denoqueue-durable-" });
}

async function json(response: Response) {
  return await response.json();
}

async function idle(url: string) {
  return await waitFor(async () => {
    const stats = await fetch(`${url}/api/stats`).then(json);
    const { queued, scheduled } = stats.byStatus;
    return queued + scheduled + stats.byStatus["in-progress"] === 0 ? stats : undefined;
  }, { timeout: 60_000, interval: 50, message: "the queue to be idle" });
}

Deno.test("main.ts keeps finished, queued and scheduled jobs across a clean restart", async () => {
  const dir = tempDir();
  const args = ["--store", `sqlite:${dir}/jobs.db`, "--workers", "1", "--handlers", FIXTURES];
  const first = await startService(args);
  let done: { id: string };
  let later: { id: string; status: string };
  try {
    done = await postJobs(first.url, { type: "t-succeeds", payload: { value: 4 } }).then(json);
    await waitFor(async () =>
      (await fetch(`${first.url}/api/jobs/${done.id}`).then(json)).status === "completed"
    );
    later = await postJobs(first.url, {
      type: "t-succeeds",
      payload: { value: 5 },
      options: { delay: 1500 },
    }).then(json);
    assert.equal(later.status, "scheduled");
  } finally {
    assert.equal((await stop(first, "SIGTERM")).code, 0);
  }
  const second = await startService(args);
  try {
    const kept = await fetch(`${second.url}/api/jobs/${done.id}`).then(json);
    assert.equal(kept.status, "completed");
    assert.deepEqual(kept.result, { doubled: 8 });
    assert.equal(kept.attempts.length, 1);
    const ran = await waitFor(async () => {
      const job = await fetch(`${second.url}/api/jobs/${later.id}`).then(json);
      return job.status === "completed" ? job : undefined;
    });
    assert.deepEqual(ran.result, { doubled: 10 });
  } finally {
    assert.equal((await stop(second, "SIGTERM")).code, 0);
  }
});

Deno.test("main.ts after kill -9 loses no acknowledged job and reruns only those it was running", async () => {
  const dir = tempDir();
  const sideFile = `${dir}/executions.log`;
  Deno.writeTextFileSync(sideFile, "");
  const args = ["--store", `sqlite:${dir}/jobs.db`, "--handlers", FIXTURES, "--capacity", "10000"];
  const first = await startService(args);
  // 20 ms a job: the 3,500 left when the kill is due take seconds to run, not one, so a test
  // process slowed by a loaded machine still kills mid-run.
  const job = { type: "t-records", payload: { file: sideFile, ms: 20 } };
  // 5,000 jobs over HTTP: 40 batches of 100 and 1,000 single enqueues, 20 requests in flight.
  const requests = [
    ...Array.from({ length: 40 }, () => Array.from({ length: 100 }, () => job)),
    ...Array.from({ length: 1000 }, () => job),
  ];
  const acknowledged = await enqueueAll(first.url, requests, 20);
  assert.equal(acknowledged.size, 5000, "every enqueue was acknowledged");
  // Kill it mid-run: once a good share has executed, while the rest still runs.
  await waitFor(() => Deno.readTextFileSync(sideFile).split("\n").length > 1500, {
    timeout: 60_000,
    interval: 2,
  });
  const killed = await stop(first, "SIGKILL");
  assert.equal(killed.signal, "SIGKILL");
  const executedBeforeKill = Deno.readTextFileSync(sideFile).trim().split("\n").length;

  const second = await startService(args);
  try {
    await idle(second.url);
    const { missing, interrupted, twice } = await checkAcknowledged(
      second.url,
      acknowledged,
      executionCounts(sideFile),
      /Process died while running/,
    );
    assert.equal(missing, 0, "no acknowledged job is lost");
    assert.ok(executedBeforeKill < acknowledged.size, "the kill came mid-run");
    // The restart says what it rescued: as many as the attempts recorded interrupted.
    const said = second.lines.map(logMessage).find((line) => /^Rescued \d+ job\(s\)/.test(line));
    assert.ok(said !== undefined, second.lines.join("\n"));
    assert.equal(Number(/^Rescued (\d+)/.exec(said)![1]), interrupted, said);
    console.log(
      `crash test: acknowledged ${acknowledged.size}, completed ${acknowledged.size}, ` +
        `lost ${missing}, executed before kill ${executedBeforeKill}, ` +
        `interrupted ${interrupted}, ran twice ${twice}`,
    );
  } finally {
    assert.equal((await stop(second, "SIGTERM")).code, 0);
  }
});

Deno.test("main.ts after kill -9 in the middle of producer-socket enqueues keeps every answered job", async () => {
  const dir = tempDir();
  const args = ["--store", `sqlite:${dir}/jobs.db`, "--capacity", "100000"];
  const first = await startService(args);
  const answered: string[] = [];
  const producer = await Producer.connect(first.url);
  let stopped = false;
  // 200 in flight, nonstop, until the connection dies under them.
  const lanes = Array.from({ length: 200 }, async (_, lane) => {
    for (let i = 0; !stopped; i++) {
      try {
        answered.push((await producer.add("noop", { lane, i })).id);
      } catch {
        stopped = true;
      }
    }
  });
  await waitFor(() => answered.length >= 3000, { timeout: 60_000, interval: 2 });
  const killed = await stop(first, "SIGKILL");
  assert.equal(killed.signal, "SIGKILL");
  await Promise.all(lanes);
  await producer.close();
  const second = await startService(args);
  try {
    const missing: string[] = [];
    for (const id of answered) {
      const response = await fetch(`${second.url}/api/jobs/${id}`);
      if (response.status === 404) missing.push(id);
      await response.body?.cancel();
    }
    assert.deepEqual(missing, [], "no answered job is lost");
    const stats = await idle(second.url);
    // Jobs stored but not yet answered at the kill may exist too; never fewer than answered.
    assert.ok(stats.byStatus.completed >= answered.length);
    console.log(
      `producer crash test: answered ${answered.length}, lost 0, stored ${stats.byStatus.completed}`,
    );
  } finally {
    assert.equal((await stop(second, "SIGTERM")).code, 0);
  }
});

Deno.test("main.ts refuses to start on a corrupt database, with a message and exit 1", async () => {
  const dir = tempDir();
  Deno.writeTextFileSync(`${dir}/jobs.db`, "definitely not sqlite ".repeat(100));
  const { code, output } = await runService(["--store", `sqlite:${dir}/jobs.db`, "--port", "0"]);
  assert.equal(code, 1);
  assert.match(output, /Cannot use the database .*jobs\.db: file is not a database/);
});

Deno.test("main.ts refuses to start on a database it may not write, with a message and exit 1", async () => {
  const dir = tempDir();
  const main = new URL("../main.ts", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      `--allow-write=${tempDir()}`, // anywhere but the database's folder
      main,
      "--store",
      `sqlite:${dir}/jobs.db`,
      "--port",
      "0",
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  assert.equal(code, 1);
  assert.match(new TextDecoder().decode(stderr), /Cannot use the database .*jobs\.db: .*write/);
});

Deno.test("main.ts refuses a second process on the same database", async () => {
  const dir = tempDir();
  const args = ["--store", `sqlite:${dir}/jobs.db`, "--workers", "1"];
  const first = await startService(args);
  try {
    const { code, output } = await runService([...args, "--port", "0"]);
    assert.equal(code, 1);
    assert.match(output, /is another DenoQueue running on it\?/);
  } finally {
    await stop(first, "SIGTERM");
  }
});
