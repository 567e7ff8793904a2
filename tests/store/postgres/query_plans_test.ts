/**
 * The store's statements walk indexes on a table of thousands of jobs: lists (of one status,
 * of all, paged), claims, outcome writes, rescues, a node's jobs, promotions, renewals and
 * prunes. The jobs table has no index of all rows, so a list of all statuses merges theirs;
 * a plan that fell back to reading the whole table would show a `Seq Scan on jobs`. Plans are
 * read as the server ran them (`auto_explain`, in the server's log).
 */

import assert from "node:assert/strict";
import { settleAttempt } from "../../../queue/attempts/settle.ts";
import { JOB_STATUSES } from "../../../queue/lifecycle.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { claimOf, makeJob, T } from "../contract/harness.ts";

Deno.test("PostgresStore's statements read the jobs table through its indexes", async () => {
  const cluster = await postgresCluster();
  const url = await cluster.createDatabase();
  const database = new URL(url).pathname.slice(1);
  await cluster.psql(
    `ALTER DATABASE ${database} SET session_preload_libraries = 'auto_explain';
     ALTER DATABASE ${database} SET auto_explain.log_min_duration = 0;`,
  );
  const store = await PostgresStore.open(url);
  try {
    for (let batch = 0; batch < 8; batch++) {
      const jobs = Array.from({ length: 1000 }, (_, i) => {
        const n = batch * 1000 + i;
        return makeJob(`job-${n}`, n % 4 === 3 ? { status: "scheduled", runAt: T + 1000 } : {});
      });
      await store.insert({ jobs });
    }
    const claimed = await store.claim(claimOf(3000, "w1", T));
    await store.update({
      updates: claimed.slice(0, 2500).map((job) => ({
        from: "in-progress" as const,
        job: settleAttempt({ job, outcome: "completed", result: null }, T + 5),
        fence: { leaseToken: job.leaseToken },
      })),
    });
    await cluster.psql(`ANALYZE denoqueue.jobs`, database);
    const log = `${cluster.dir}/server.log`;
    const from = (await Deno.readTextFile(log)).length;

    const running = claimed.slice(2500);
    const [newest] = await store.list({ limit: 1 });
    for (const status of [undefined, ...JOB_STATUSES]) {
      await store.list({ status, limit: 50 });
      await store.list({ status, limit: 50, beforeSeq: newest.seq - 100 });
    }
    await store.list({ type: "email", limit: 50 });
    const more = await store.claim(claimOf(100, "w2", T));
    await store.update({
      updates: more.map((job) => ({
        from: "in-progress" as const,
        job: settleAttempt({ job, outcome: "failed", error: "boom" }, T + 5),
        fence: { leaseToken: job.leaseToken },
      })),
    });
    await store.expiredLeases({ now: T + 120_000, limit: 100 });
    await store.jobsHeldBy({ node: "me", limit: 100 });
    await store.renewLeases({
      owner: "me",
      until: T + 90_000,
      leases: running.map((job) => ({ id: job.id, leaseToken: job.leaseToken! })),
    });
    await store.get({ id: "job-5" });
    await store.promote({ now: T + 500, limit: 100 });
    await store.prune({
      finishedBefore: { completed: T + 6, failed: 0, cancelled: 0 },
      keep: 2000,
      limit: 100,
    });
    await store.delete({ ids: ["job-6", "job-7"] });

    // Counting a status reads its rows whatever the plan (a prune's count of the kept ones).
    const plans = (await Deno.readTextFile(log)).slice(from).split(/\n(?=\S)/)
      .filter((entry) => /plan:/.test(entry) && /\bjobs\b/.test(entry))
      .filter((entry) => !/SELECT count\(\*\)/.test(entry));
    assert.ok(plans.length >= 25, `${plans.length} plans logged`);
    for (const plan of plans) assert.doesNotMatch(plan, /Seq Scan on jobs\b/, plan);
  } finally {
    await store.close();
  }
});
