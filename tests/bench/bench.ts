/**
 * `deno task bench`: DenoQueue started as its own process (memory store, then SQLite; PostgreSQL
 * when asked, on a private cluster with `synchronous_commit` on, a new database per server),
 * driven from this process over HTTP with keep-alive, through the phases of the BullMQ peer
 * benchmark. Prints one JSON object per store on stdout (progress on stderr).
 *
 *   deno task bench [--n 20000] [--stores memory,sqlite,postgres] [--only processC50] [--workers 2]
 *     [--retain-completed 0]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  enqueueAddBulk,
  enqueueSingleAdd,
  enqueueSingleHttp,
  latency,
  processAll,
  warmUp,
} from "./phases.ts";
import { postJson } from "./http.ts";
import { STAMP_HANDLERS } from "./stamp_handler.ts";
import { type BenchServer, startServer } from "./server_process.ts";
import { postgresCluster } from "../support/postgres.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "20000" },
    stores: { type: "string", default: "memory,sqlite" },
    only: { type: "string" },
    workers: { type: "string", default: "2" },
    "latency-jobs": { type: "string", default: "2000" },
    // `0`: the servers keep no completed jobs (labelled `<store>-removed`).
    "retain-completed": { type: "string" },
  },
});
const RETAIN = values["retain-completed"];
const REMOVED = RETAIN !== undefined && /^0+(ms|s|m|h|d)?$/.test(RETAIN);
const N = Number(values.n);
const WORKERS = Number(values.workers);
if (!Number.isInteger(N) || N < 1000 || N % 1000 !== 0) {
  throw new RangeError(`--n must be a multiple of 1000, received ${values.n}`);
}
const only = values.only?.split(",");
const wanted = (phase: string) => only === undefined || only.includes(phase);
const log = (...parts: unknown[]) => console.error(`[bench ${new Date().toISOString()}]`, ...parts);

/** Splits a total concurrency over the workers: 8 → 2 workers x 4, 1 → 1 x 1. */
function shape(total: number): { workers: number; concurrency: number } {
  const workers = Math.min(WORKERS, total);
  return { workers, concurrency: Math.ceil(total / workers) };
}

async function withServer<T>(
  store: string,
  total: number,
  peaks: number[],
  body: (server: BenchServer) => Promise<T>,
  extraArgs: string[] = [],
): Promise<T> {
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-bench-" });
  const { workers, concurrency } = shape(total);
  const storeSpec = store === "memory"
    ? "memory"
    : store === "postgres"
    ? await (await postgresCluster()).createDatabase()
    : `sqlite:${dir}/bench.db`;
  const server = await startServer([
    "--store",
    storeSpec,
    "--workers",
    String(workers),
    "--concurrency",
    String(concurrency),
    "--capacity",
    String(N * 2 + 10_000),
    "--retain-count",
    String(N * 4),
    "--body-limit",
    "16mb",
    ...(RETAIN === undefined ? [] : ["--retain-completed", RETAIN]),
    ...extraArgs,
  ]);
  try {
    await warmUp(server.url);
    // This process is only the load generator: a full collection of its own in a timed phase
    // would count as the server's time, so it collects before (with `--expose-gc`, as the task runs it).
    (globalThis as { gc?: () => void }).gc?.();
    const result = await body(server);
    peaks.push(server.peakRssMB());
    return result;
  } finally {
    await server.stop();
    Deno.removeSync(dir, { recursive: true });
    // Its rows go with it: no autovacuum of an earlier phase's table runs in a later phase.
    if (store === "postgres") {
      await (await postgresCluster()).psql(`DROP DATABASE ${new URL(storeSpec).pathname.slice(1)}`);
    }
  }
}

async function benchStore(store: string) {
  const peaks: number[] = [];
  let httpSinglesPeak: number | undefined;
  const phases: Record<string, unknown> = {};
  const started = new Date().toISOString();
  if (wanted("enqueueAddBulk") || wanted("enqueueSingleAdd50")) {
    await withServer(store, 8, peaks, async ({ url }) => {
      await postJson(`${url}/api/queue/pause`, undefined, 200);
      if (wanted("enqueueAddBulk")) {
        log(store, "enqueueAddBulk");
        phases.enqueueAddBulk = await enqueueAddBulk(url, N);
        await postJson(`${url}/api/clear`, undefined, 200);
      }
      if (wanted("enqueueSingleAdd50")) {
        log(store, "enqueueSingleAdd50");
        phases.enqueueSingleAdd50 = await enqueueSingleAdd(url, N, 50);
      }
    });
  }
  if (wanted("enqueueSingleHttp50")) {
    // Not a phase of the peer's: its own server, so its memory is reported on its own.
    const ownPeak: number[] = [];
    log(store, "enqueueSingleHttp50");
    phases.enqueueSingleHttp50 = await withServer(store, 8, ownPeak, async ({ url }) => {
      await postJson(`${url}/api/queue/pause`, undefined, 200);
      return await enqueueSingleHttp(url, N, 50);
    });
    httpSinglesPeak = ownPeak[0];
  }
  for (const concurrency of [1, 8, 50]) {
    const name = `processC${concurrency}`;
    if (!wanted(name)) continue;
    log(store, name);
    phases[name] = await withServer(
      store,
      concurrency,
      peaks,
      ({ url }) => processAll(url, N, concurrency, { removed: REMOVED }),
    );
  }
  if (wanted("latency")) {
    log(store, "latency");
    phases.latency = await withServer(store, 8, peaks, async ({ url }) => ({
      ...await latency(url, Number(values["latency-jobs"]), 500),
      workerConcurrency: 8,
    }), ["--handlers", STAMP_HANDLERS]);
  }
  return {
    tool: "denoqueue",
    label: REMOVED ? `${store}-removed` : store,
    startedAt: started,
    finishedAt: new Date().toISOString(),
    params: {
      n: N,
      addBulkBatch: 1000,
      singleAddInFlight: 50,
      singleAdd: "one producer WebSocket (GET /api/producer), 50 requests in flight on it",
      singleHttp: "POST /api/jobs, one job each, on 50 keep-alive connections",
      workers: WORKERS,
    },
    versions: { deno: Deno.version.deno, v8: Deno.version.v8 },
    env: { cpus: navigator.hardwareConcurrency, loadavg: Deno.loadavg() },
    phases,
    memory: {
      serverPeakRssMB: peaks.length > 0 ? Math.max(...peaks) : null,
      perServerPeakRssMB: peaks,
      httpSinglesServerPeakRssMB: httpSinglesPeak,
    },
  };
}

for (const store of values.stores.split(",")) {
  const result = await benchStore(store);
  console.log(JSON.stringify(result));
}
