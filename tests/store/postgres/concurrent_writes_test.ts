/**
 * PostgresStore under writes made in the same turn (as the pool claims for every worker with room
 * while it records outcomes): claims take different jobs, outcomes are written beside them, and
 * one write the database refuses fails alone.
 */

import assert from "node:assert/strict";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { settleAttempt } from "../../../queue/attempts/settle.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { claimOf, ids, makeJob, T } from "../contract/harness.ts";

let schemas = 0;

async function storeWith(count: number): Promise<PostgresStore> {
  const cluster = await postgresCluster();
  const store = await PostgresStore.open(cluster.url(), { schema: `concurrent_${++schemas}` });
  const jobs = Array.from({ length: count }, (_, i) => makeJob(`j${i + 1}`));
  await store.insert({ jobs });
  return store;
}

Deno.test("PostgresStore.claim() made in one turn with others takes other jobs", async () => {
  const store = await storeWith(5);
  try {
    const [first, second, third] = await Promise.all([
      store.claim(claimOf(3, "w1", T)),
      store.claim(claimOf(3, "w2", T)),
      store.claim(claimOf(3, "w3", T)),
    ]);
    // Each claim is its own statement on its own connection: which runs first is the server's.
    const taken = [...ids(first), ...ids(second), ...ids(third)].sort();
    assert.deepEqual(taken, ["j1", "j2", "j3", "j4", "j5"]);
    assert.ok([first, second, third].every((claimed) => claimed.length <= 3));
    assert.ok(second.every((job) => job.attempts.at(-1)?.workerId === "w2"));
  } finally {
    await store.close();
  }
});

Deno.test("PostgresStore.update() and claim() in one turn: outcomes written, jobs claimed", async () => {
  const store = await storeWith(4);
  try {
    const running = await store.claim(claimOf(2, "w1", T));
    const done = running.map((job) => ({
      from: "in-progress" as const,
      job: settleAttempt({ job, outcome: "completed", result: job.id }, T + 1),
      fence: { leaseToken: job.leaseToken },
    }));
    const [updated, claimed] = await Promise.all([
      store.update({ updates: done }),
      store.claim(claimOf(5, "w1", T + 1)),
    ]);
    assert.deepEqual(updated.map((job) => job.status), ["completed", "completed"]);
    assert.deepEqual(ids(claimed), ["j3", "j4"]);
    const counts = await store.counts();
    assert.equal(counts.byStatus.completed, 2);
    assert.equal(counts.byStatus["in-progress"], 2);
  } finally {
    await store.close();
  }
});

Deno.test("PostgresStore: a write the database refuses fails alone, not those made with it", async () => {
  const store = await storeWith(3);
  try {
    const [running] = await store.claim(claimOf(1, "w1", T));
    // A time past bigint's range: the database refuses the row.
    const bad = { ...running, status: "scheduled" as const, runAt: 1e20, attempts: [] };
    const [refused, claimed] = await Promise.allSettled([
      store.update({ updates: [{ from: "in-progress", job: bad }] }),
      store.claim(claimOf(5, "w2", T)),
    ]);
    assert.equal(refused.status, "rejected");
    assert.match(String((refused as PromiseRejectedResult).reason), /out of range/);
    assert.equal(claimed.status, "fulfilled");
    assert.deepEqual(ids((claimed as PromiseFulfilledResult<typeof running[]>).value), [
      "j2",
      "j3",
    ]);
    assert.equal((await store.get({ id: running.id }))?.status, "in-progress");
  } finally {
    await store.close();
  }
});
