/**
 * The benchmark's phases, named and measured as in the BullMQ peer benchmark
 * (`../shared/peers/bullmq/bench.mjs`): enqueue in batches, enqueue singles with 50 in flight,
 * process at a total concurrency, and open-loop latency.
 * @module
 */

import { getJson, postJson, type Stats } from "./http.ts";
import { Producer } from "../../api/client/producer.ts";
import { HttpConnection } from "./http_connection.ts";

const MINIMAL = { Prefer: "return=minimal" };
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function noops(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({ type: "noop", payload: { i: from + i } }));
}

/** POSTs JSON on a kept-alive connection; throws on a status other than `expect`. */
async function post<T>(
  connection: HttpConnection,
  path: string,
  body: unknown,
  expect = 201,
  headers?: Record<string, string>,
) {
  const answer = await connection.request("POST", path, JSON.stringify(body), headers);
  if (answer.status !== expect) {
    throw new Error(`POST ${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  return JSON.parse(answer.body) as T;
}

/**
 * Enqueues `n` jobs in batches of 1,000 on one connection, each awaited before the next. Asks
 * for ids and statuses only (`Prefer: return=minimal`): BullMQ's `addBulk` answers no more.
 */
async function enqueueBatches(url: string, n: number): Promise<void> {
  const connection = await HttpConnection.open(url);
  try {
    for (let i = 0; i < n; i += 1000) {
      const batch = noops(i, Math.min(1000, n - i));
      const ids = await post<{ id: string }[]>(connection, "/api/jobs", batch, 201, MINIMAL);
      if (ids.length !== batch.length) throw new Error(`${ids.length} ids for ${batch.length}`);
    }
  } finally {
    connection.close();
  }
}

/** Enqueues `n` jobs in batches of 1,000, each awaited before the next. */
export async function enqueueAddBulk(url: string, n: number) {
  const started = performance.now();
  await enqueueBatches(url, n);
  const ms = performance.now() - started;
  const stats = await getJson<Stats>(`${url}/api/stats`);
  return {
    jobs: n,
    ms: round(ms),
    jobsPerSec: round(n / ms * 1000),
    waitingCountCheck: stats.byStatus.queued,
  };
}

/** What a single-enqueue phase reports. */
function singlesResult(n: number, inFlight: number, ms: number, queued: number) {
  return {
    jobs: n,
    inFlight,
    ms: round(ms),
    jobsPerSec: round(n / ms * 1000),
    waitingCountCheck: queued,
  };
}

/**
 * Enqueues `n` single jobs with `inFlight` at a time on one producer WebSocket (as BullMQ's
 * `queue.add` keeps them in flight on one Redis connection); each is answered once stored.
 */
export async function enqueueSingleAdd(url: string, n: number, inFlight = 50) {
  const producer = await Producer.connect(url);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < n) {
      const i = next++;
      await producer.add("noop", { i });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const ms = performance.now() - started;
  await producer.close();
  const stats = await getJson<Stats>(`${url}/api/stats`);
  return singlesResult(n, inFlight, ms, stats.byStatus.queued);
}

/**
 * POSTs `n` single noop jobs to `path`, on `inFlight` kept-alive connections each sending its
 * next as soon as its last is answered; returns the ms from the first send to the last answer.
 */
async function postSingles(url: string, path: string, n: number, inFlight: number) {
  let next = 0;
  const connections = await Promise.all(
    Array.from({ length: inFlight }, () => HttpConnection.open(url)),
  );
  const started = performance.now();
  const lane = async (connection: HttpConnection) => {
    while (next < n) {
      const i = next++;
      await post(connection, path, { type: "noop", payload: { i } });
    }
  };
  await Promise.all(connections.map(lane));
  const ms = performance.now() - started;
  for (const connection of connections) connection.close();
  return ms;
}

/** Enqueues `n` single jobs as `POST /api/jobs` requests, `inFlight` connections at a time. */
export async function enqueueSingleHttp(url: string, n: number, inFlight = 50) {
  const ms = await postSingles(url, "/api/jobs", n, inFlight);
  const stats = await getJson<Stats>(`${url}/api/stats`);
  return singlesResult(n, inFlight, ms, stats.byStatus.queued);
}

/**
 * With the pool paused, enqueues `n` jobs; then resumes it and waits until all are finished.
 * Timed from the first completion to the last, as the server recorded them. Then checks
 * every job completed exactly once (one attempt each). A server that keeps no completed jobs
 * (`removed`: `--retain-completed 0`) is timed here instead, from the resume to the poll that
 * sees them all finished (its `totals`; so a little longer than the server's own span), and
 * checked by its count of attempts.
 */
export async function processAll(
  url: string,
  n: number,
  concurrency: number,
  { removed = false } = {},
) {
  if (removed) return await processAllRemoved(url, n, concurrency);
  const { before, stats } = await runAll(
    url,
    n,
    (stats) => (stats.byStatus.completed ?? 0) + (stats.byStatus.failed ?? 0),
  );
  const completed = stats.byStatus.completed;
  const { ranTwice, firstFinishedAt, lastFinishedAt } = await inspectJobs(url, n);
  const span = lastFinishedAt - firstFinishedAt;
  return {
    concurrency,
    jobs: n,
    waitingBefore: before.byStatus.queued,
    completed,
    failed: stats.byStatus.failed,
    firstToLastMs: span,
    jobsPerSec: span > 0 ? round((completed - 1) / span * 1000) : null,
    completedCountCheck: completed,
    ranTwice,
  };
}

/** {@linkcode processAll} on a server that keeps no completed jobs. */
async function processAllRemoved(url: string, n: number, concurrency: number) {
  const since = (stats: Stats, before: Stats, key: "completed" | "failed" | "attempts") =>
    stats.totals[key] - before.totals[key];
  const { before, stats, ms } = await runAll(
    url,
    n,
    (stats, before) => since(stats, before, "completed") + since(stats, before, "failed"),
  );
  if (stats.byStatus.completed !== 0) throw new Error("completed jobs were kept");
  const completed = since(stats, before, "completed");
  return {
    concurrency,
    jobs: n,
    waitingBefore: before.byStatus.queued,
    completed,
    failed: since(stats, before, "failed"),
    resumeToLastMs: round(ms),
    jobsPerSec: round(completed / ms * 1000),
    completedCountCheck: completed,
    ranTwice: since(stats, before, "attempts") - n,
  };
}

/**
 * With the pool paused, enqueues `n` jobs, resumes it and polls `/api/stats` until `finished`
 * counts them all; returns the stats before and at the end, and the ms from the resume.
 */
async function runAll(
  url: string,
  n: number,
  finished: (stats: Stats, before: Stats) => number,
) {
  await postJson(`${url}/api/queue/pause`, undefined, 200);
  await enqueueBatches(url, n);
  const before = await getJson<Stats>(`${url}/api/stats`);
  const started = performance.now();
  await postJson(`${url}/api/queue/resume`, undefined, 200);
  let stats = before;
  const deadline = started + 180_000;
  while (finished(stats, before) < n) {
    if (performance.now() > deadline) throw new Error(`process phase timed out: ${stats}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stats = await getJson<Stats>(`${url}/api/stats`);
  }
  return { before, stats, ms: performance.now() - started };
}

/**
 * Pages through every job: counts those with more than one attempt, and finds the first and
 * last finish times (server clock, ms).
 */
async function inspectJobs(url: string, n: number) {
  let ranTwice = 0;
  let seen = 0;
  let firstFinishedAt = Infinity;
  let lastFinishedAt = -Infinity;
  let next: string | null = `/api/jobs?limit=100`;
  while (next !== null) {
    const response: Response = await fetch(url + next);
    const page = await response.json() as { attempt: number; finishedAt: string }[];
    for (const job of page) {
      seen++;
      if (job.attempt !== 1) ranTwice++;
      const finished = Date.parse(job.finishedAt);
      firstFinishedAt = Math.min(firstFinishedAt, finished);
      lastFinishedAt = Math.max(lastFinishedAt, finished);
    }
    next = /<([^>]+)>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
  }
  if (seen !== n) throw new Error(`expected ${n} jobs, found ${seen}`);
  return { ranTwice, firstFinishedAt, lastFinishedAt };
}

function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil(p / 100 * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50/p95/p99 (and mean, max, min) of `latencies`, in ms. */
function percentiles(latencies: number[]) {
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(sorted, 50), 2),
    p95Ms: round(percentile(sorted, 95), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 2),
    maxMs: round(sorted[sorted.length - 1], 2),
    minMs: round(sorted[0], 2),
  };
}

/**
 * Sends `total` jobs open loop at `rate` per second (job i due at t0 + i/rate), each with
 * `?wait=` so the answer comes when it is completed; latency is send to answer (the outcome
 * committed). The jobs are `bench-stamp` (`stamp_handler.ts`, loaded by the server):
 * `toHandler` is send to the handler's return, the moment the peers' in-process completion
 * events measure.
 */
export async function latency(url: string, total = 2000, rate = 500) {
  const latencies: number[] = [];
  const toHandler: number[] = [];
  const pending: Promise<void>[] = [];
  const idle: HttpConnection[] = await Promise.all(
    Array.from({ length: 16 }, () => HttpConnection.open(url)),
  );
  const send = async (body: unknown) => {
    const connection = idle.pop() ?? await HttpConnection.open(url);
    try {
      return await post<{ status: string; result?: unknown }>(
        connection,
        "/api/jobs?wait=30000",
        body,
      );
    } finally {
      idle.push(connection);
    }
  };
  let maxScheduleLagMs = 0;
  let errors = 0;
  const interval = 1000 / rate;
  const started = performance.now();
  for (let sent = 0; sent < total;) {
    const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
    while (sent < due) {
      const sentAt = performance.now();
      maxScheduleLagMs = Math.max(maxScheduleLagMs, sentAt - (started + sent * interval));
      pending.push(
        send({ type: "bench-stamp", payload: { i: sent } }).then((job) => {
          if (job.status !== "completed" || typeof job.result !== "number") errors++;
          else toHandler.push(job.result - (performance.timeOrigin + sentAt));
          latencies.push(performance.now() - sentAt);
        }, () => {
          errors++;
        }),
      );
      sent++;
    }
    const nextDue = started + sent * interval;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextDue - performance.now())));
  }
  await Promise.all(pending);
  const elapsed = performance.now() - started;
  for (const connection of idle) connection.close();
  return {
    jobs: total,
    completed: latencies.length,
    errors,
    targetRatePerSec: rate,
    achievedRatePerSec: round(total / elapsed * 1000),
    maxScheduleLagMs: round(maxScheduleLagMs, 2),
    ...percentiles(latencies),
    toHandler: percentiles(toHandler),
  };
}

/**
 * The JIT's warm-up, untimed, through every path a phase takes: `count` noop jobs enqueued as
 * one batch over HTTP and run, as many more one by one with `?wait=` on 8 connections (the
 * latency phase's path), as many enqueued one by one on a producer socket; then all cleared.
 */
export async function warmUp(url: string, count = 1000): Promise<void> {
  await postJson(`${url}/api/jobs?wait=30000`, noops(0, count));
  await postSingles(url, "/api/jobs?wait=30000", count, 8);
  const producer = await Producer.connect(url);
  await Promise.all(Array.from({ length: count }, (_, i) => producer.add("noop", { i })));
  await producer.close();
  await postJson(`${url}/api/clear`, undefined, 200);
}
