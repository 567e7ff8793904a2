/**
 * The benchmark's phases on a cluster: DenoQueue nodes on one PostgreSQL database (a private
 * cluster, `synchronous_commit` on), driven from this process, with what PostgreSQL spends per
 * job (statements, commits, WAL bytes, CPU) read around each phase. One node (2 workers × 25)
 * and two nodes (1 worker × 25 each) run the same phases, for the same total concurrency:
 *
 *   deno run -A --v8-flags=--expose-gc tests/bench/cluster_bench.ts [--n 20000] [--nodes 1,2]
 *
 * Phases: `enqueueAddBulk` (batches of 1,000, one connection per node, the nodes in parallel),
 * `enqueueSingleAdd50` (single enqueues on one producer socket per node, 50 in flight in all),
 * `processC50` (N noop jobs enqueued with the pools paused, then run by all nodes at once,
 * timed from the first completion to the last as the rows record them, each checked to have
 * run once). Prints one JSON object per cluster size on stdout, progress on stderr.
 * @module
 */

import { parseArgs } from "node:util";
import { Producer } from "../../api/client/producer.ts";
import { postgresCluster } from "../support/postgres.ts";
import { postJson } from "./http.ts";
import { HttpConnection } from "./http_connection.ts";
import { costPerJob, readCounters, trackStatements } from "./pg_cost.ts";
import { warmUp } from "./phases.ts";
import { type BenchServer, startServer } from "./server_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "20000" },
    nodes: { type: "string", default: "1,2" },
  },
});
const N = Number(values.n);
if (!Number.isInteger(N) || N < 2000 || N % 2000 !== 0) {
  throw new RangeError(`--n must be a multiple of 2000, received ${values.n}`);
}
const TOTAL_CONCURRENCY = 50;
const log = (...parts: unknown[]) =>
  console.error(`[cluster bench ${new Date().toISOString()}]`, ...parts);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

const cluster = await postgresCluster();
let tracking = false;

function noops(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({ type: "noop", payload: { i: from + i } }));
}

/** Enqueues `count` jobs in batches of 1,000 on one connection to `url`. */
async function enqueueBatches(url: string, from: number, count: number): Promise<void> {
  const connection = await HttpConnection.open(url);
  try {
    for (let i = from; i < from + count; i += 1000) {
      const answer = await connection.request(
        "POST",
        "/api/jobs",
        JSON.stringify(noops(i, Math.min(1000, from + count - i))),
        { Prefer: "return=minimal" },
      );
      if (answer.status !== 201) throw new Error(`enqueue answered ${answer.status}`);
    }
  } finally {
    connection.close();
  }
}

/** N jobs split evenly over the nodes, all nodes at once. */
async function enqueueSplit(nodes: BenchServer[]): Promise<void> {
  const share = N / nodes.length;
  await Promise.all(nodes.map((node, i) => enqueueBatches(node.url, i * share, share)));
}

async function singles(nodes: BenchServer[]): Promise<void> {
  const producers = await Promise.all(nodes.map((node) => Producer.connect(node.url)));
  let next = 0;
  const lane = async (producer: Producer) => {
    while (next < N) await producer.add("noop", { i: next++ });
  };
  const lanes = producers.flatMap((producer) =>
    Array.from({ length: 50 / producers.length }, () => lane(producer))
  );
  await Promise.all(lanes);
  await Promise.all(producers.map((producer) => producer.close()));
}

/** Runs `phase` and reads what it cost; `jobs` is what the cost is divided by. */
async function measured(
  database: string,
  nodes: BenchServer[],
  phase: () => Promise<void>,
) {
  const pids = nodes.map((node) => node.pid);
  const before = await readCounters(cluster, database, pids);
  const started = performance.now();
  await phase();
  const ms = performance.now() - started;
  const after = await readCounters(cluster, database, pids);
  return { ms: round(ms), jobsPerSec: round(N / ms * 1000), perJob: costPerJob(before, after, N) };
}

async function rowCount(database: string, where: string): Promise<number> {
  return Number(await cluster.psql(`SELECT count(*) FROM denoqueue.jobs WHERE ${where}`, database));
}

async function benchCluster(size: number) {
  const url = await cluster.createDatabase();
  const database = new URL(url).pathname.slice(1);
  if (!tracking) {
    await trackStatements(cluster, database);
    tracking = true;
  } else await cluster.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", database);
  const workers = size === 1 ? 2 : 1;
  const nodes: BenchServer[] = [];
  for (let i = 0; i < size; i++) {
    nodes.push(
      await startServer([
        ...["--store", url, "--workers", String(workers)],
        ...["--concurrency", String(TOTAL_CONCURRENCY / size / workers)],
        ...["--capacity", String(N * 2 + 10_000), "--retain-count", String(N * 4)],
      ]),
    );
  }
  const peaks = () => nodes.map((node) => node.peakRssMB());
  const all = (path: string) =>
    Promise.all(nodes.map((node) => postJson(`${node.url}${path}`, undefined, 200)));
  try {
    log(`${size} node(s)`, "warm-up");
    // One node at a time, the others paused: a `?wait=` answers when its job ends on the node
    // asked (the events of jobs other nodes run do not reach it yet).
    await all("/api/queue/pause");
    for (const node of nodes) {
      await postJson(`${node.url}/api/queue/resume`, undefined, 200);
      await warmUp(node.url);
      await postJson(`${node.url}/api/queue/pause`, undefined, 200);
    }
    (globalThis as { gc?: () => void }).gc?.();
    const phases: Record<string, unknown> = {};
    log(`${size} node(s)`, "enqueueAddBulk");
    phases.enqueueAddBulk = await measured(database, nodes, () => enqueueSplit(nodes));
    await postJson(`${nodes[0].url}/api/clear`, undefined, 200);
    log(`${size} node(s)`, "enqueueSingleAdd50");
    phases.enqueueSingleAdd50 = await measured(database, nodes, () => singles(nodes));
    await postJson(`${nodes[0].url}/api/clear`, undefined, 200);
    log(`${size} node(s)`, "processC50");
    await enqueueSplit(nodes);
    const processing = await measured(database, nodes, async () => {
      await all("/api/queue/resume");
      const deadline = Date.now() + 300_000;
      while (await rowCount(database, "status = 'completed'") < N) {
        if (Date.now() > deadline) throw new Error("processC50 timed out");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const [span, ranTwice] = (await cluster.psql(
      "SELECT max(finished_at) - min(finished_at), " +
        "count(*) FILTER (WHERE json_array_length(data->'attempts') <> 1) FROM denoqueue.jobs",
      database,
    )).trim().split("|").map(Number);
    phases.processC50 = {
      ...processing,
      firstToLastMs: span,
      jobsPerSec: round((N - 1) / span * 1000),
      ranTwice,
    };
    return {
      tool: "denoqueue",
      label: `postgres, ${size} node(s)`,
      params: { n: N, nodes: size, workersPerNode: workers, totalConcurrency: TOTAL_CONCURRENCY },
      env: { cpus: navigator.hardwareConcurrency, loadavg: Deno.loadavg() },
      phases,
      memory: { perNodePeakRssMB: peaks() },
    };
  } finally {
    for (const node of nodes) await node.stop();
  }
}

for (const size of values.nodes.split(",").map(Number)) {
  console.log(JSON.stringify(await benchCluster(size)));
}
