/**
 * What authentication costs per request, in the server's CPU: two servers side by side, one
 * without a master key (authentication off) and one with it, each sent the same requests with a
 * kept-alive connection, one at a time, in interleaved rounds (A B, B A, …) so that the
 * machine's other load falls on both alike. The server's CPU time (every thread) is read from
 * `/proc/PID/stat` around each round. Two cases:
 * - `POST /api/jobs` (one `noop` job, the pool paused so no job runs) on the memory store;
 * - `GET /api/stats` (counts the store keeps in memory) on the SQLite store, where the key is read
 *   from the database on every request.
 *
 *   deno run -A tests/bench/auth_cost.ts [--n 5000] [--rounds 7]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { HttpConnection } from "./http_connection.ts";
import { type BenchServer, startServer } from "./server_process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "5000" }, rounds: { type: "string", default: "7" } },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);
const MASTER = "bench-master-key-0123456789abcdef";
const TICK_US = 1_000_000 / 100; // /proc's clock ticks: USER_HZ is 100 on Linux

/** The server's CPU time so far (user + system, all threads), in µs. */
function cpuMicros(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

interface Side {
  name: string;
  server: BenchServer;
  connection: HttpConnection;
  headers: Record<string, string>;
  samples: number[];
}

async function side(name: string, args: string[], withKey: boolean): Promise<Side> {
  const server = await startServer(["--capacity", "100000000", ...args]);
  const connection = await HttpConnection.open(server.url);
  const master = { authorization: `Bearer ${MASTER}` };
  let headers: Record<string, string> = {};
  if (withKey) {
    // A producer key, as a real producer would present, among others in the store.
    for (let i = 0; i < 20; i++) {
      await connection.request(
        "POST",
        "/api/keys",
        JSON.stringify({ name: `k${i}`, role: "viewer" }),
        master,
      );
    }
    const made = await connection.request(
      "POST",
      "/api/keys",
      JSON.stringify({ name: "bench", role: "producer" }),
      master,
    );
    headers = { authorization: `Bearer ${JSON.parse(made.body).secret}` };
  }
  const paused = await connection.request(
    "POST",
    "/api/queue/pause",
    undefined,
    withKey ? master : {},
  );
  if (paused.status !== 200) throw new Error(`pause: ${paused.status} ${paused.body}`);
  return { name, server, connection, headers, samples: [] };
}

async function round(
  s: Side,
  method: string,
  path: string,
  body: string | undefined,
  expect: number,
) {
  const before = cpuMicros(s.server.pid);
  for (let i = 0; i < N; i++) {
    const answer = await s.connection.request(method, path, body, s.headers);
    if (answer.status !== expect) throw new Error(`${s.name}: ${answer.status} ${answer.body}`);
  }
  s.samples.push((cpuMicros(s.server.pid) - before) / N);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function compare(
  label: string,
  args: (side: string) => string[],
  method: string,
  path: string,
  body: string | undefined,
  expect: number,
) {
  const off = await side("off", args("off"), false);
  const on = await side("on", [...args("on"), "--master-key", MASTER], true);
  try {
    // Warm-up, untimed: the JIT settles on both.
    await round(off, method, path, body, expect);
    await round(on, method, path, body, expect);
    off.samples = [];
    on.samples = [];
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? [off, on] : [on, off];
      for (const s of order) await round(s, method, path, body, expect);
    }
  } finally {
    for (const s of [off, on]) {
      s.connection.close();
      await s.server.stop();
    }
  }
  const round1 = (x: number) => Math.round(x * 10) / 10;
  console.log(JSON.stringify({
    case: label,
    n: N,
    rounds: ROUNDS,
    cpuMicrosPerRequest: {
      off: round1(median(off.samples)),
      on: round1(median(on.samples)),
      difference: round1(median(on.samples) - median(off.samples)),
    },
    samples: { off: off.samples.map(round1), on: on.samples.map(round1) },
  }));
}

await compare(
  "POST /api/jobs, memory store",
  () => ["--store", "memory"],
  "POST",
  "/api/jobs",
  JSON.stringify({ type: "noop", payload: null }),
  201,
);
const dir = Deno.makeTempDirSync({ prefix: "denoqueue-auth-bench-" });
await compare(
  "GET /api/stats, SQLite store",
  (name) => ["--store", `sqlite:${dir}/${name}.db`],
  "GET",
  "/api/stats",
  undefined,
  200,
);
Deno.removeSync(dir, { recursive: true });
