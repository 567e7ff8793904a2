/**
 * A real server with two workers against one job of each hostile kind: each reaches its final
 * state with the right error, `/healthz` answers throughout (its worst latency is printed), and
 * `sleep` jobs that share a worker with a culprit end as the policy says: put back after a kill,
 * retried after a crash, completed either way.
 */

import assert from "node:assert/strict";
import { createServer, type DenoQueueServer } from "../../api/server.ts";
import type { Job, NewJob } from "../../queue/job.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { captureLog } from "../support/log_capture.ts";

/** A final state, and what it must look like. */
interface Expected {
  status: "completed" | "failed";
  outcomes: string[];
  error?: RegExp;
  check?: (job: Job) => void;
}

/** A culprit: the job to enqueue and how it must end. */
interface Culprit extends Expected {
  name: string;
  job: NewJob;
}

const ONCE = { maxAttempts: 1 };
/** Companions: two attempts, so a crash of the worker they share costs one and leaves one. */
const COMPANION: NewJob = {
  type: "sleep",
  payload: { ms: 300 },
  options: { maxAttempts: 2, backoff: { base: 10, factor: 2, cap: 50 } },
};

/** Culprits that end by a kill or an error of their own: their worker's others are put back. */
const KILLED_OR_FAILED: Culprit[] = [
  {
    name: "CPU loop",
    // Busy well past its timeout and kill grace, and bounded: Deno cannot stop a looping thread.
    job: { type: "t-busy", payload: { ms: 3_000 }, options: { ...ONCE, timeout: 500 } },
    status: "failed",
    outcomes: ["timeout"],
    error: /^Timed out after 500 ms$/,
  },
  {
    name: "never-settling promise",
    job: { type: "t-hangs", payload: {}, options: { ...ONCE, timeout: 500 } },
    status: "failed",
    outcomes: ["timeout"],
    error: /^Timed out after 500 ms$/,
  },
  {
    name: "uncloneable result",
    job: { type: "t-unclonable", payload: {}, options: ONCE },
    status: "failed",
    outcomes: ["failed"],
    error: /^The handler's result cannot be sent: /,
  },
  {
    name: "posts to the pool itself",
    job: { type: "t-posts", payload: {}, options: ONCE },
    status: "failed",
    outcomes: ["failed"],
    error: /^Handler code cannot post messages to the pool: return a result, or use ctx$/,
  },
  {
    name: "reaches for the lifelines' locks",
    job: { type: "t-steals-lifelines", payload: {}, options: ONCE },
    status: "failed",
    outcomes: ["failed"],
    error: /^no Web Locks here$/,
  },
  {
    name: "thrown string",
    job: { type: "t-throws-string", payload: {}, options: ONCE },
    status: "failed",
    outcomes: ["failed"],
    error: /^a plain string$/,
  },
  {
    name: "oversized result",
    job: { type: "t-big-result", payload: { bytes: 4_096 }, options: ONCE },
    status: "failed",
    outcomes: ["failed"],
    error: /^Result is 4\.0 KB, over the result limit of 1 KB \(--result-limit\)$/,
  },
  {
    name: "20k log lines",
    job: { type: "t-logs", payload: { lines: 20_000 }, options: ONCE },
    status: "completed",
    outcomes: ["completed"],
    check: (job) => {
      assert.deepEqual(job.result, { logged: 20_000 });
      assert.equal(job.logs.length, 100, "only the last 100 lines are kept");
      assert.equal(job.logs.at(-1)?.message, "line 20000");
    },
  },
];

/** Culprits that end their worker: each runs alone with its companions, one after the other. */
const CRASHES: Culprit[] = [
  {
    name: "close()",
    job: { type: "t-closes", payload: {}, options: ONCE },
    status: "failed",
    outcomes: ["interrupted"],
    error: /^Worker crashed: (a handler called close\(\)|the worker ended without saying why)$/,
  },
  {
    name: "Deno.exit()",
    job: { type: "t-exits", payload: { code: 3 }, options: ONCE },
    status: "failed",
    outcomes: ["interrupted"],
    error: /^Worker crashed: (a handler exited with code 3 |the worker ended without saying why$)/,
  },
  {
    name: "uncaught error from a timer",
    job: { type: "t-crashes", payload: {}, options: ONCE },
    status: "failed",
    outcomes: ["interrupted"],
    error: /^Worker crashed: uncaught error in worker: .*uncaught in worker/,
  },
  {
    name: "unhandled rejection",
    job: { type: "t-rejects-unhandled", payload: {}, options: ONCE },
    status: "failed",
    outcomes: ["interrupted"],
    error: /^Worker crashed: uncaught error in worker: .*unhandled in worker/,
  },
];

/** Asks `/healthz` over and over until stopped; keeps every answer's status and latency. */
function watchHealth(port: number) {
  const statuses: number[] = [];
  let worst = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const start = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      await response.body?.cancel();
      worst = Math.max(worst, performance.now() - start);
      statuses.push(response.status);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return { statuses, worst };
    },
  };
}

/** Waits for the job to be final (generously: this is not a timing test) and checks it. */
async function assertEnds(server: DenoQueueServer, name: string, id: string, expected: Expected) {
  const job = await server.queue.waitForFinal(id, { timeout: 30_000 });
  assert.ok(job !== undefined, `${name}: the job is gone`);
  assert.equal(job.status, expected.status, `${name}: ${job.status} (${job.error})`);
  assert.deepEqual(job.attempts.map((attempt) => attempt.outcome), expected.outcomes, name);
  if (expected.error !== undefined) {
    assert.match(job.error ?? "", expected.error, `${name}: ${job.error}`);
  }
  expected.check?.(job);
  return job;
}

/** Companions complete, on their first attempt or after one the crash interrupted. */
const COMPANION_ENDS = [["completed"], ["interrupted", "completed"]].map(String);

Deno.test("hostile handlers end as they should, the service keeps answering, others run", async () => {
  const log = captureLog();
  const server = await createServer({
    store: new MemoryStore(),
    port: 0,
    workers: 2,
    concurrency: 8,
    handlers: [FIXTURES],
    resultLimit: 1024,
    killGrace: 100,
    shutdownGrace: 200,
    logger: log.logger,
  });
  try {
    const { port } = await server.listen();
    const health = watchHealth(port);

    // One batch: the culprits that do not end their worker, with companions among them.
    const batch = [...KILLED_OR_FAILED.map((culprit) => culprit.job), COMPANION, COMPANION];
    const jobs = await server.queue.enqueue(batch);
    for (const [i, culprit] of KILLED_OR_FAILED.entries()) {
      await assertEnds(server, culprit.name, jobs[i].id, culprit);
    }
    for (const companion of jobs.slice(KILLED_OR_FAILED.length)) {
      // Put back when a kill took their worker: never an attempt lost.
      await assertEnds(server, "companion", companion.id, {
        status: "completed",
        outcomes: ["completed"],
      });
    }

    // The crashes, one at a time, each with companions claimed with it onto the same worker.
    let interrupted = 0;
    for (const culprit of CRASHES) {
      const [crash, ...companions] = await server.queue.enqueue([
        culprit.job,
        COMPANION,
        COMPANION,
      ]);
      await assertEnds(server, culprit.name, crash.id, culprit);
      // The crash's log line names the jobs its worker held, the culprit among them.
      const named = log.records.filter((record) =>
        record.level === "error" && /replacing it$/.test(record.msg) &&
        (record.fields.jobId === crash.id ||
          (record.fields.jobIds as string[] | undefined)?.includes(crash.id))
      );
      assert.equal(named.length, 1, `${culprit.name}: ${log.messages().join("\n")}`);
      for (const companion of companions) {
        const job = await server.queue.waitForFinal(companion.id, { timeout: 30_000 });
        const outcomes = job?.attempts.map((attempt) => attempt.outcome);
        assert.ok(COMPANION_ENDS.includes(String(outcomes)), `${culprit.name}: ${outcomes}`);
        assert.equal(job?.status, "completed");
        if (outcomes?.[0] === "interrupted") interrupted++;
      }
    }
    assert.ok(interrupted > 0, "some companions shared a worker with a crash");

    const [after] = await server.queue.enqueue([{ type: "t-succeeds", payload: { value: 4 } }]);
    await assertEnds(server, "a job after it all", after.id, {
      status: "completed",
      outcomes: ["completed"],
    });
    assert.equal(server.pool.stats().size, 2);

    const { statuses, worst } = await health.stop();
    assert.ok(statuses.length > 0, "/healthz was asked");
    assert.deepEqual(
      statuses.filter((status) => status !== 200),
      [],
      "/healthz always answered 200",
    );
    console.log(
      `/healthz answered ${statuses.length} times, worst latency ${worst.toFixed(1)} ms; ` +
        `${interrupted} of ${
          CRASHES.length * 2
        } companions were interrupted by a crash and retried`,
    );
  } finally {
    await server.shutdown();
  }
});
