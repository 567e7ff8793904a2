/**
 * `deno task bench:compare`: the BullMQ peer benchmark (`../shared/peers/bullmq`), the Graphile
 * Worker one (`../shared/peers/graphile-worker`), each run from a copy in a temporary folder,
 * and DenoQueue's, in the same sitting, printed as tables with ratios. Memory store against
 * BullMQ without persistence; SQLite against BullMQ with `appendfsync everysec`; PostgreSQL
 * (`synchronous_commit` on) against Graphile Worker `default` at its fastest settings (the better
 * of stock and batched processing) and against BullMQ with AOF; PostgreSQL's processing and
 * latency again with `--retain-completed 0` (completed jobs removed, as Graphile Worker does).
 *
 *   deno task bench:compare [--n 20000] [--peer ../shared/peers/bullmq]
 *     [--graphile ../shared/peers/graphile-worker] [--out FILE.md]
 *
 * @module
 */

import { parseArgs } from "node:util";

const ROOT = new URL("../../", import.meta.url).pathname;
const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "20000" },
    peer: { type: "string", default: `${ROOT}../shared/peers/bullmq` },
    graphile: { type: "string", default: `${ROOT}../shared/peers/graphile-worker` },
    out: { type: "string" },
  },
});
const log = (...parts: unknown[]) =>
  console.error(`[compare ${new Date().toISOString()}]`, ...parts);

async function sh(command: string, cwd: string, env: Record<string, string> = {}) {
  const { code } = await new Deno.Command("bash", {
    args: ["-c", command],
    cwd,
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`${command} failed with ${code}`);
}

// deno-lint-ignore no-explicit-any
type Result = any;

async function runBullmq(n: string): Promise<Record<string, Result>> {
  const copy = await Deno.makeTempDir({ prefix: "bullmq-peer-" });
  await sh(`cp -r "${values.peer}/." "${copy}/" && rm -rf "${copy}/results"`, ROOT);
  await sh("bash setup.sh", copy);
  const out = `${copy}/results`;
  await sh(`bash run.sh ${n} 1`, copy, { OUT: out, QUIET_WAIT_S: "120" });
  const results: Record<string, Result> = {};
  for (const entry of Deno.readDirSync(out)) {
    const match = /_(nopersist|aof)_run1\.json$/.exec(entry.name);
    if (match) results[match[1]] = JSON.parse(Deno.readTextFileSync(`${out}/${entry.name}`));
  }
  return results;
}

async function runGraphile(n: string): Promise<Record<string, Result>> {
  const copy = await Deno.makeTempDir({ prefix: "graphile-peer-" });
  await sh(`cp -r "${values.graphile}/." "${copy}/" && rm -rf "${copy}/results"`, ROOT);
  await sh("bash setup.sh", copy);
  const out = `${copy}/results`;
  await sh(`bash run.sh ${n} 1`, copy, {
    OUT: out,
    QUIET_WAIT_S: "120",
    VARIANTS: "default async",
    FSYNC_PROBE: "0",
  });
  const results: Record<string, Result> = {};
  for (const entry of Deno.readDirSync(out)) {
    const match = /_(default|async)_run1\.json$/.exec(entry.name);
    if (match) results[match[1]] = JSON.parse(Deno.readTextFileSync(`${out}/${entry.name}`));
  }
  return results;
}

async function runDenoQueue(
  n: string,
  args = ["--stores", "memory,sqlite,postgres"],
): Promise<Record<string, Result>> {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--v8-flags=--expose-gc",
      `${ROOT}tests/bench/bench.ts`,
      "--n",
      n,
      ...args,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`the DenoQueue benchmark failed with ${code}`);
  const results: Record<string, Result> = {};
  for (const line of new TextDecoder().decode(stdout).trim().split("\n")) {
    const result = JSON.parse(line);
    results[result.label] = result;
  }
  return results;
}

const fmt = (value: number | undefined) =>
  value === undefined || value === null
    ? "–"
    : value >= 100
    ? Math.round(value).toLocaleString("en-US")
    : String(Math.round(value * 100) / 100);
const ratio = (ours?: number, theirs?: number) =>
  ours && theirs ? `${(Math.round((ours / theirs) * 100) / 100).toFixed(2)}x` : "–";

function table(bull: Record<string, Result>, ours: Record<string, Result>): string {
  const pairs = [["nopersist", "memory"], ["aof", "sqlite"]] as const;
  const rows: string[] = [
    "| metric | BullMQ no persistence | DenoQueue memory | ratio | BullMQ AOF everysec | DenoQueue SQLite | ratio |",
    "|---|---|---|---|---|---|---|",
  ];
  const throughput = [
    ["enqueue batches of 1,000, jobs/s", "enqueueAddBulk"],
    ["enqueue singles, 50 in flight, jobs/s", "enqueueSingleAdd50"],
    ["enqueue singles, 50 in flight, DenoQueue over HTTP, jobs/s", "enqueueSingleHttp50"],
    ["process, concurrency 1, jobs/s", "processC1"],
    ["process, concurrency 8, jobs/s", "processC8"],
    ["process, concurrency 50, jobs/s", "processC50"],
  ] as const;
  for (const [label, key] of throughput) {
    const cells = pairs.flatMap(([b, d]) => {
      // BullMQ has one way to add a job: DenoQueue's HTTP singles compare with the same figure.
      const theirKey = key === "enqueueSingleHttp50" ? "enqueueSingleAdd50" : key;
      const theirs = bull[b]?.phases?.[theirKey]?.jobsPerSec;
      const mine = ours[d]?.phases?.[key]?.jobsPerSec;
      return [fmt(theirs), fmt(mine), ratio(mine, theirs)];
    });
    rows.push(`| ${label} | ${cells.join(" | ")} |`);
  }
  for (const p of ["p50Ms", "p95Ms", "p99Ms"]) {
    const cells = pairs.flatMap(([b, d]) => {
      const theirs = bull[b]?.phases?.latency?.[p];
      const mine = ours[d]?.phases?.latency?.[p];
      return [fmt(theirs), fmt(mine), ratio(theirs, mine)];
    });
    rows.push(
      `| latency ${p.replace("Ms", "")} ms (500/s; ratio >1: DenoQueue faster) | ${
        cells.join(" | ")
      } |`,
    );
  }
  const memory = pairs.flatMap(([b, d]) => {
    const bm = bull[b]?.memory;
    const theirs = bm ? bm.nodeMaxRssKernelMB + bm.redisVmHWMMB : undefined;
    const mine = ours[d]?.memory?.serverPeakRssMB;
    return [fmt(theirs), fmt(mine), ratio(theirs, mine)];
  });
  rows.push(
    `| peak RSS MB (BullMQ: Node + Redis; ratio >1: DenoQueue smaller) | ${memory.join(" | ")} |`,
  );
  return rows.join("\n");
}

/**
 * Graphile Worker at its fastest: of its stock and batched (`…Batched`) runs of a phase, the
 * higher throughput or the lower latency.
 */
function graphileBest(result: Result, key: string, measure: string): number | undefined {
  const values = [result?.phases?.[key]?.[measure], result?.phases?.[`${key}Batched`]?.[measure]]
    .filter((value): value is number => typeof value === "number");
  if (values.length === 0) return undefined;
  return measure === "jobsPerSec" ? Math.max(...values) : Math.min(...values);
}

/**
 * PostgreSQL beside Graphile Worker (both variants) and BullMQ with AOF: DenoQueue as by
 * default (completed jobs kept, as BullMQ keeps them) and keeping none (`--retain-completed 0`,
 * as Graphile Worker deletes each job it completes) where that changes the work.
 */
function postgresTable(
  graphile: Record<string, Result>,
  bull: Record<string, Result>,
  ours: Record<string, Result>,
): string {
  const rows: string[] = [
    "| metric | Graphile default (fastest) | Graphile async (fastest) | BullMQ AOF everysec | DenoQueue PostgreSQL | vs Graphile default | vs BullMQ AOF | DenoQueue PostgreSQL, completed removed | vs Graphile default |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const mine = ours.postgres?.phases;
  const removed = ours["postgres-removed"]?.phases;
  for (
    const [label, key] of [
      ["enqueue batches of 1,000, jobs/s", "enqueueAddBulk"],
      ["enqueue singles, 50 in flight, jobs/s", "enqueueSingleAdd50"],
      ["process, concurrency 1, jobs/s", "processC1"],
      ["process, concurrency 8, jobs/s", "processC8"],
      ["process, concurrency 50, jobs/s", "processC50"],
    ] as const
  ) {
    const gd = graphileBest(graphile.default, key, "jobsPerSec");
    const ga = graphileBest(graphile.async, key, "jobsPerSec");
    const b = bull.aof?.phases?.[key]?.jobsPerSec;
    const d = mine?.[key]?.jobsPerSec;
    const r = removed?.[key]?.jobsPerSec;
    rows.push(
      `| ${label} | ${fmt(gd)} | ${fmt(ga)} | ${fmt(b)} | ${fmt(d)} | ${ratio(d, gd)} | ${
        ratio(d, b)
      } | ${fmt(r)} | ${ratio(r, gd)} |`,
    );
  }
  for (const p of ["p50Ms", "p95Ms", "p99Ms"]) {
    const gd = graphileBest(graphile.default, "latency", p);
    const ga = graphileBest(graphile.async, "latency", p);
    const b = bull.aof?.phases?.latency?.[p];
    const d = mine?.latency?.[p];
    const r = removed?.latency?.[p];
    rows.push(
      `| latency ${p.replace("Ms", "")} ms (ratio >1: DenoQueue faster) | ${fmt(gd)} | ${
        fmt(ga)
      } | ${fmt(b)} | ${fmt(d)} | ${ratio(gd, d)} | ${ratio(b, d)} | ${fmt(r)} | ${ratio(gd, r)} |`,
    );
  }
  // The peers time each job to their in-process completion event; DenoQueue's figures above
  // run to the `?wait` answer, after the outcome commits. To the handler's return instead:
  for (const p of ["p50Ms", "p95Ms", "p99Ms"]) {
    const gd = graphileBest(graphile.default, "latency", p);
    const ga = graphileBest(graphile.async, "latency", p);
    const b = bull.aof?.phases?.latency?.[p];
    const d = mine?.latency?.toHandler?.[p];
    const r = removed?.latency?.toHandler?.[p];
    rows.push(
      `| latency ${p.replace("Ms", "")} ms, DenoQueue to the handler's return | ${fmt(gd)} | ${
        fmt(ga)
      } | ${fmt(b)} | ${fmt(d)} | ${ratio(gd, d)} | ${ratio(b, d)} | ${fmt(r)} | ${ratio(gd, r)} |`,
    );
  }
  return rows.join("\n");
}

log("BullMQ peer");
const bull = await runBullmq(values.n);
log("Graphile Worker peer");
const graphile = await runGraphile(values.n);
log("DenoQueue");
const ours = {
  ...await runDenoQueue(values.n),
  ...await runDenoQueue(values.n, [
    "--stores",
    "postgres",
    "--retain-completed",
    "0",
    "--only",
    "processC1,processC8,processC50,latency",
  ]),
};
const versions = `BullMQ ${bull.aof?.versions?.bullmq} on Redis ${bull.aof?.versions?.redis} ` +
  `(Node ${bull.aof?.versions?.node}); Graphile Worker ` +
  `${graphile.default?.versions?.["graphile-worker"] ?? "?"} on PostgreSQL ` +
  `${graphile.default?.versions?.postgres ?? "?"}; DenoQueue on Deno ${Deno.version.deno}`;
const report = [
  `Side by side, N = ${values.n}, ${
    new Date().toISOString()
  }, ${navigator.hardwareConcurrency} cores, ` +
  `load average at end ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}.`,
  versions + ".",
  "",
  table(bull, ours),
  "",
  postgresTable(graphile, bull, ours),
  "",
  "Jobs run twice (must be 0): " +
  Object.entries(ours).map(([store, r]) =>
    `${store} ${
      ["processC1", "processC8", "processC50"].map((p) => r.phases[p]?.ranTwice).join("/")
    }`
  ).join(", "),
].join("\n");
console.log(report);
if (values.out) {
  Deno.writeTextFileSync(
    values.out,
    report + "\n\n```json\n" + JSON.stringify({ bull, graphile, ours }, null, 2) + "\n```\n",
  );
}
