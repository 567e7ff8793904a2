/**
 * Where a server's time goes in one benchmark phase: the CPU each of its threads and (on
 * PostgreSQL) the database's processes spent per job, how busy the whole machine was, and a
 * sampling profile of the server's main thread through the V8 inspector (its functions by own
 * time, and the profile itself as a `.cpuprofile` for Chrome DevTools; with `--allocations`,
 * also where its memory is allocated, sampled). The inspector costs the server time of its
 * own: `--no-profile` reads the CPU figures without it.
 *
 *   deno run -A tests/bench/profile_server.ts [--store postgres] [--phase process|singles]
 *     [--n 40000] [--concurrency 50] [--top 30] [--out /tmp/server.cpuprofile] [--no-profile]
 *     [--statements] [--retain-completed 0]
 *
 * `process`: N noop jobs enqueued with the pool paused, then run at the total concurrency (over
 * 2 workers, as `deno task bench` splits it), until none is queued or in progress in the store.
 * `singles`: N single enqueues, 50 in flight on one producer socket, pool paused.
 * `--statements` (PostgreSQL): also the statements run per job, by kind, and the WAL written
 * per job (`pg_stat_statements`, loaded by a restart of the private cluster first).
 * @module
 */

import { parseArgs } from "node:util";
import { Producer } from "../../api/client/producer.ts";
import { postgresCluster } from "../support/postgres.ts";
import { freePort } from "../support/process.ts";
import { getJson, postJson, type Stats } from "./http.ts";
import { costPerJob, cpuMs, postgresPids, readCounters, trackStatements } from "./pg_cost.ts";
import { enqueueAddBulk } from "./phases.ts";
import { startServer } from "./server_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    store: { type: "string", default: "postgres" },
    phase: { type: "string", default: "process" },
    n: { type: "string", default: "40000" },
    concurrency: { type: "string", default: "50" },
    top: { type: "string", default: "30" },
    out: { type: "string", default: "/tmp/denoqueue-server.cpuprofile" },
    "no-profile": { type: "boolean", default: false },
    allocations: { type: "boolean", default: false },
    statements: { type: "boolean", default: false },
    "retain-completed": { type: "string" },
  },
});
const N = Number(values.n);
const total = Number(values.concurrency);
if (!["process", "singles"].includes(values.phase)) throw new RangeError("--phase process|singles");

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
/** A node of V8's sampling heap profile: bytes allocated by a function, and its callees. */
interface AllocationNode {
  callFrame: ProfileNode["callFrame"];
  selfSize: number;
  children: AllocationNode[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One DevTools-protocol session on the server's inspector. */
async function inspector(port: number) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  };
  return {
    call<T>(method: string, params: unknown = {}): Promise<T> {
      const id = ++next;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => waiting.set(id, resolve as (result: unknown) => void));
    },
    close: () => socket.close(),
  };
}

/** CPU ms of each thread of `pid`, by `tid name`. */
function threadCpu(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const entry of Deno.readDirSync(`/proc/${pid}/task`)) {
    const stat = Deno.readTextFileSync(`/proc/${pid}/task/${entry.name}/stat`);
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    threads.set(`${entry.name} ${name}`, threadMs(stat));
  }
  return threads;
}

/** utime + stime of a `stat` line, in ms (USER_HZ = 100). */
function threadMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The machine's busy and total ticks (all CPUs), from `/proc/stat`. */
function hostTicks(): { busy: number; total: number } {
  const ticks = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1)
    .map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3] - ticks[4], total };
}

/** `name file:line` of a call frame, its file relative to the repository or npm package. */
function frameName({ functionName, url, lineNumber }: ProfileNode["callFrame"]): string {
  const file = url.replace(/^.*\/(work\/[^/]+|registry\.npmjs\.org)\//, "");
  return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
}

/** Bytes allocated by function, largest first, as shares of all sampled bytes. */
function allocationSites(head: AllocationNode): [string, number][] {
  const own = new Map<string, number>();
  let all = 0;
  const visit = (node: AllocationNode) => {
    const key = frameName(node.callFrame);
    own.set(key, (own.get(key) ?? 0) + node.selfSize);
    all += node.selfSize;
    node.children.forEach(visit);
  };
  visit(head);
  return [...own].map(([key, bytes]) => [key, bytes / all] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

/** Own time by function (`name file:line`), largest first, as shares of all samples. */
function selfTimes(profile: Profile): [string, number][] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const own = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const key = frameName(byNode.get(id)!.callFrame);
    const delta = profile.timeDeltas[i] ?? 0;
    own.set(key, (own.get(key) ?? 0) + delta);
    all += delta;
  });
  return [...own].map(([key, time]) => [key, time / all] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

const cluster = values.store === "postgres" ? await postgresCluster() : undefined;
const dir = Deno.makeTempDirSync({ prefix: "denoqueue-profile-" });
const store = cluster
  ? await cluster.createDatabase()
  : values.store === "sqlite"
  ? `sqlite:${dir}/profile.db`
  : "memory";
const databaseName = cluster ? new URL(store).pathname.slice(1) : "";
if (cluster && values.statements) await trackStatements(cluster, databaseName);
const counters = () =>
  cluster && values.statements ? readCounters(cluster, databaseName, []) : undefined;
const inspectPort = freePort();
const workers = Math.min(2, total);
const server = await startServer(
  [
    ...["--store", store, "--workers", String(workers)],
    ...["--concurrency", String(Math.ceil(total / workers)), "--capacity", String(N * 2)],
    ...(values["retain-completed"] === undefined
      ? []
      : ["--retain-completed", values["retain-completed"]]),
  ],
  values["no-profile"] ? [] : [`--inspect=127.0.0.1:${inspectPort}`],
);
const session = values["no-profile"] ? undefined : await inspector(inspectPort);
try {
  await session?.call("Profiler.enable");
  await session?.call("Profiler.setSamplingInterval", { interval: 200 });
  await postJson(`${server.url}/api/queue/pause`, undefined, 200);
  const producer = values.phase === "singles" ? await Producer.connect(server.url) : undefined;
  if (producer) {
    for (let i = 0; i < 2_000; i++) await producer.add("noop", { warm: i }); // The JIT's warm-up.
  } else await enqueueAddBulk(server.url, N);

  await session?.call("Profiler.start");
  if (values.allocations) {
    await session?.call("HeapProfiler.enable");
    // Every allocation sampled, not only what still lives when sampling stops.
    await session?.call("HeapProfiler.startSampling", {
      samplingInterval: 4_096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const database = () => cluster ? postgresPids(cluster).reduce((a, pid) => a + cpuMs(pid), 0) : 0;
  const statementsBefore = await counters();
  const before = { threads: threadCpu(server.pid), database: database(), host: hostTicks() };
  const started = performance.now();
  if (producer) {
    let next = 0;
    const lane = async () => {
      while (next < N) await producer.add("noop", { i: next++ });
    };
    await Promise.all(Array.from({ length: 50 }, lane));
  } else {
    await postJson(`${server.url}/api/queue/resume`, undefined, 200);
    // On PostgreSQL the counts are a second old at most, so it asks for one job of each status
    // left (an index read); alone on its store, a server counts as it goes.
    const unfinished = cluster
      ? async () =>
        (await getJson<unknown[]>(`${server.url}/api/jobs?status=queued&limit=1`)).length +
        (await getJson<unknown[]>(`${server.url}/api/jobs?status=in-progress&limit=1`)).length
      : async () => {
        const { byStatus } = await getJson<Stats>(`${server.url}/api/stats`);
        return byStatus.queued + byStatus["in-progress"];
      };
    while (await unfinished() > 0) {
      if (performance.now() - started > 300_000) throw new Error("the phase took over 5 minutes");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const ms = performance.now() - started;
  const after = { threads: threadCpu(server.pid), database: database(), host: hostTicks() };
  const statementsAfter = await counters();
  const profile = (await session?.call<{ profile: Profile }>("Profiler.stop"))?.profile;
  const allocations = values.allocations
    ? (await session?.call<{ profile: { head: AllocationNode } }>("HeapProfiler.stopSampling"))
      ?.profile
    : undefined;
  await producer?.close();

  const perJob = (cpu: number) => (cpu * 1000 / N).toFixed(1);
  const threads = [...after.threads].map(([name, cpu]) =>
    [name, cpu - (before.threads.get(name) ?? 0)] as const
  ).filter(([, cpu]) => cpu > 0).sort((a, b) => b[1] - a[1]);
  const serverCpu = threads.reduce((sum, [, cpu]) => sum + cpu, 0);
  const host = (after.host.busy - before.host.busy) / (after.host.total - before.host.total);
  console.log(
    `${values.store} ${values.phase}, N ${N}${producer ? "" : `, concurrency ${total}`}: ` +
      `${Math.round(N / ms * 1000)} jobs/s over ${Math.round(ms)} ms` +
      (session ? " (with the inspector)" : ""),
  );
  console.log(
    `CPU per job: server ${perJob(serverCpu)} µs` +
      (cluster ? `, PostgreSQL ${perJob(after.database - before.database)} µs` : "") +
      `; machine busy ${Math.round(host * 100)}% of ${navigator.hardwareConcurrency} CPUs`,
  );
  console.log(
    "server threads, µs per job: " +
      threads.map(([name, cpu]) => `${name.split(" ").slice(1).join(" ")} ${perJob(cpu)}`)
        .join(", "),
  );
  if (statementsBefore && statementsAfter) {
    const cost = costPerJob(statementsBefore, statementsAfter, N);
    console.log(
      `statements per job: ${cost.statements} ${JSON.stringify(cost.byKind)}; ` +
        `WAL ${cost.walBytes} bytes per job`,
    );
  }
  if (profile) {
    Deno.writeTextFileSync(values.out, JSON.stringify(profile));
    console.log(`main thread, own time (profile in ${values.out}):`);
    for (const [name, share] of selfTimes(profile).slice(0, Number(values.top))) {
      console.log(`${(share * 100).toFixed(1).padStart(6)}%  ${name}`);
    }
  }
  if (allocations) {
    console.log("main thread, bytes allocated (sampled):");
    for (const [name, share] of allocationSites(allocations.head).slice(0, Number(values.top))) {
      console.log(`${(share * 100).toFixed(1).padStart(6)}%  ${name}`);
    }
  }
} finally {
  session?.close();
  await server.stop();
  Deno.removeSync(dir, { recursive: true });
  await cluster?.stop();
}
