/**
 * What the PostgreSQL `jobs` table weighs after many jobs, and what keeps it bounded: a real
 * server on a private cluster (`synchronous_commit` on, the server's retention defaults unless
 * `--retain-count` says otherwise) runs `--jobs` `noop` jobs (default 200,000) enqueued in
 * batches of 1,000 while they are processed, `--rounds` times (default 2). After each round it
 * prints the table's size (heap, indexes, total), live and dead tuples and the autovacuum runs,
 * then again once the cleaner has pruned to the count kept, and once autovacuum has run after
 * that. One JSON line per measurement on stdout (progress on stderr).
 *
 *   deno run -A tests/bench/pg_bloat.ts [--jobs 200000] [--rounds 2] [--retain-count 100000]
 *     [--retain-completed 0]
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { enqueueAddBulk } from "./phases.ts";
import { startServer } from "./server_process.ts";
import { postgresCluster } from "../support/postgres.ts";
import { waitFor } from "../support/wait.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    jobs: { type: "string", default: "200000" },
    rounds: { type: "string", default: "2" },
    "retain-count": { type: "string", default: "100000" },
    // `0`: each completed job is removed as it completes.
    "retain-completed": { type: "string" },
  },
});
const JOBS = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const KEEP = Number(values["retain-count"]);
if (!Number.isInteger(JOBS) || JOBS < 1000 || JOBS % 1000 !== 0) {
  throw new RangeError(`--jobs must be a multiple of 1000, received ${values.jobs}`);
}
const log = (...parts: unknown[]) => console.error(`[bloat ${new Date().toISOString()}]`, ...parts);

const cluster = await postgresCluster();
const url = await cluster.createDatabase();
const server = await startServer([
  "--store",
  url,
  "--workers",
  "2",
  "--concurrency",
  "25",
  "--capacity",
  String(JOBS + 10_000),
  "--retain-count",
  String(KEEP),
  ...(values["retain-completed"] === undefined
    ? []
    : ["--retain-completed", values["retain-completed"]]),
]);
const sql = postgres(url, { max: 1, onnotice: () => {} });
const started = performance.now();

/** The table's figures now (the statistics collector's counters lag by up to a second). */
async function measure(label: string) {
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // let the counters reach the view
  const [row] = await sql`
    SELECT pg_total_relation_size('denoqueue.jobs')::int8 AS total,
           pg_relation_size('denoqueue.jobs')::int8 AS heap,
           pg_indexes_size('denoqueue.jobs')::int8 AS indexes,
           (SELECT count(*) FROM denoqueue.jobs)::int8 AS rows,
           s.n_live_tup::int8 AS live, s.n_dead_tup::int8 AS dead,
           s.autovacuum_count::int8 AS autovacuums, s.autoanalyze_count::int8 AS autoanalyzes,
           s.last_autovacuum
      FROM pg_stat_user_tables s WHERE s.relid = 'denoqueue.jobs'::regclass`;
  const mb = (bytes: unknown) => Math.round(Number(bytes) / 1048576 * 10) / 10;
  const line = {
    label,
    atS: Math.round((performance.now() - started) / 1000),
    rows: Number(row.rows),
    totalMB: mb(row.total),
    heapMB: mb(row.heap),
    indexesMB: mb(row.indexes),
    liveTuples: Number(row.live),
    deadTuples: Number(row.dead),
    autovacuums: Number(row.autovacuums),
    autoanalyzes: Number(row.autoanalyzes),
    lastAutovacuum: row.last_autovacuum,
  };
  console.log(JSON.stringify(line));
  return line;
}

try {
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}: ${JOBS} jobs`);
    await enqueueAddBulk(server.url, JOBS);
    await waitFor(async () => {
      const [{ n }] = await sql`
        SELECT count(*)::int8 AS n FROM denoqueue.jobs
         WHERE status IN ('queued', 'in-progress', 'scheduled')`;
      return Number(n) === 0;
    }, { timeout: 600_000, interval: 500 });
    const done = await measure(`round ${round}: ${JOBS} jobs through`);
    if (done.rows > KEEP) {
      log("waiting for the cleaner (a pass a minute)");
      await waitFor(async () => {
        const [{ n }] = await sql`SELECT count(*)::int8 AS n FROM denoqueue.jobs`;
        return Number(n) <= KEEP;
      }, { timeout: 180_000, interval: 1_000 });
      await measure(`round ${round}: after the cleaner`);
    }
    log("waiting for an autovacuum of jobs");
    const runs = (await measure(`round ${round}: before autovacuum`)).autovacuums;
    await waitFor(async () => {
      const [{ n }] = await sql`
        SELECT autovacuum_count::int8 AS n FROM pg_stat_user_tables
         WHERE relid = 'denoqueue.jobs'::regclass`;
      return Number(n) > runs;
    }, { timeout: 240_000, interval: 1_000 });
    await measure(`round ${round}: after autovacuum`);
  }
} finally {
  await sql.end();
  await server.stop();
  await cluster.stop();
}
