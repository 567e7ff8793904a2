/**
 * What one job's round through the PostgreSQL store costs with no server around it: N queued
 * `noop` jobs claimed `--batch` at a time, each batch settled as completed (the pool's
 * `settleAttempt`) and written back in one outcome statement (removed, or kept with
 * `--keep`), one batch after another. Prints jobs per second and the CPU per job of this
 * process's main thread (the store's client side: postgres.js, rows to jobs, the outcome's
 * parameters) and of PostgreSQL. It is the floor under the server's `process` phases
 * (`profile_server.ts`): those add the pool, the workers and the messages between them.
 *
 *   deno run -A tests/bench/store_cycle_cost.ts [--n 40000] [--batch 150] [--keep] [--rounds 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { settleAttempt } from "../../queue/attempts/settle.ts";
import { PostgresStore } from "../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../support/postgres.ts";
import { cpuMs, postgresPids } from "./pg_cost.ts";
import { queuedJob } from "./queued_job.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "40000" },
    batch: { type: "string", default: "150" },
    keep: { type: "boolean", default: false },
    rounds: { type: "string", default: "3" },
  },
});
const N = Number(values.n);
const BATCH = Number(values.batch);

/** CPU ms (user + system) of this process's main thread. */
function mainThreadMs(): number {
  const stat = Deno.readTextFileSync(`/proc/${Deno.pid}/task/${Deno.pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const cluster = await postgresCluster();
const store = await PostgresStore.open(await cluster.createDatabase());
const database = () => postgresPids(cluster).reduce((sum, pid) => sum + cpuMs(pid), 0);
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let done = 0; done < N; done += 1000) {
      await store.insert({
        jobs: Array.from({ length: 1000 }, (_, i) => queuedJob("noop", done + i)),
      });
    }
    const before = { main: mainThreadMs(), database: database() };
    const started = performance.now();
    let jobs = 0;
    for (;;) {
      const now = Date.now();
      const claimed = await store.claim({
        limit: BATCH,
        workerId: "w1",
        now,
        leaseOwner: "store-cycle-cost",
        leaseUntil: now + 60_000,
      });
      if (claimed.length === 0) break;
      await store.update({
        updates: claimed.map((job) => ({
          from: "in-progress" as const,
          job: settleAttempt({ job, outcome: "completed", result: null }, Date.now()),
          fence: { leaseToken: job.leaseToken },
          remove: !values.keep,
        })),
      });
      jobs += claimed.length;
    }
    const ms = performance.now() - started;
    if (jobs !== N) throw new Error(`claimed ${jobs} jobs, expected ${N}`);
    const perJob = (cpu: number) => (cpu * 1000 / jobs).toFixed(1);
    console.log(
      `batch ${BATCH}, completed ${values.keep ? "kept" : "removed"}: ` +
        `${Math.round(jobs / ms * 1000)} jobs/s; CPU per job: main thread ` +
        `${perJob(mainThreadMs() - before.main)} µs, PostgreSQL ` +
        `${perJob(database() - before.database)} µs`,
    );
  }
} finally {
  await store.close();
  await cluster.stop();
}
