/**
 * The jobs table's statistics follow its growth: `TableGrowth` analyzes once enough rows were
 * inserted (one at a time, retried after a failure), and a PostgresStore that fills a table
 * analyzed while nearly empty has it analyzed without autovacuum, so claims walk the queued
 * index instead of sorting every queued row.
 */

import assert from "node:assert/strict";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import {
  GROWTH_SHARE,
  MIN_GROWTH,
  TableGrowth,
} from "../../../queue/store/postgres/table_statistics.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { waitFor } from "../../support/wait.ts";
import { makeJob } from "../contract/harness.ts";

Deno.test("TableGrowth analyzes once the inserted rows reach the threshold, one at a time", async () => {
  const calls: PromiseWithResolvers<number>[] = [];
  const growth = new TableGrowth(() => {
    calls.push(Promise.withResolvers<number>());
    return calls.at(-1)!.promise;
  });
  growth.inserted(MIN_GROWTH - 1);
  assert.equal(calls.length, 0);
  growth.inserted(1);
  assert.equal(calls.length, 1);
  growth.inserted(MIN_GROWTH * 10);
  assert.equal(calls.length, 1, "no second ANALYZE while one runs");
  calls[0].resolve(10 * MIN_GROWTH);
  await growth.settled();
  // The rows counted meanwhile (10 × MIN_GROWTH) exceed half of the 10 × MIN_GROWTH known.
  growth.inserted(0);
  assert.equal(calls.length, 2);
  calls[1].resolve(100 * MIN_GROWTH);
  await growth.settled();
  growth.inserted(GROWTH_SHARE * 100 * MIN_GROWTH - 1);
  assert.equal(calls.length, 2, "the threshold grows with the table");
  growth.inserted(1);
  assert.equal(calls.length, 3);
  calls[2].resolve(0);
  await growth.settled();
});

Deno.test("TableGrowth counts the rows of a failed ANALYZE again and retries", async () => {
  let calls = 0;
  const growth = new TableGrowth(() => {
    calls++;
    return calls === 1 ? Promise.reject(new Error("not the owner")) : Promise.resolve(0);
  });
  growth.inserted(MIN_GROWTH);
  await growth.settled();
  assert.equal(calls, 1);
  growth.inserted(1);
  assert.equal(calls, 2);
  await growth.settled();
});

Deno.test("PostgresStore analyzes the jobs table as inserts grow it, without autovacuum", async () => {
  const cluster = await postgresCluster();
  const store = await PostgresStore.open(cluster.url(), { schema: "table_growth" });
  try {
    await cluster.psql(`ALTER TABLE table_growth.jobs SET (autovacuum_enabled = false);
      ANALYZE table_growth.jobs`);
    const jobs = Array.from({ length: 5_000 }, (_, i) => makeJob(`g${i}`));
    for (let i = 0; i < jobs.length; i += 500) {
      await store.insert({ jobs: jobs.slice(i, i + 500) });
    }
    const reltuples = () =>
      cluster.psql(`SELECT reltuples FROM pg_class WHERE oid = 'table_growth.jobs'::regclass`);
    await waitFor(async () => Number(await reltuples()) >= 2_500 || undefined, {
      timeout: 5_000,
      message: "the planner to count the inserted rows",
    });
    const plan = await cluster.psql(`SET search_path = table_growth;
      EXPLAIN SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1
        FOR UPDATE SKIP LOCKED`);
    assert.match(plan, /Index Scan using jobs_queued/);
    assert.doesNotMatch(plan, /Sort/);
  } finally {
    await store.close();
  }
});
