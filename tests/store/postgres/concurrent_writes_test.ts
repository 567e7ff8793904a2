/**
 * PostgresStore under writes made in the same turn (as the pool claims for every worker with room
 * while it records outcomes): claims take different jobs, outcomes are written beside them, and
 * one write the database refuses fails alone; when the database goes out of reach while they are
 * written one by one, a caller whose write landed is told so.
 */

import assert from "node:assert/strict";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { settleAttempt } from "../../../queue/attempts/settle.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { claimOf, ids, makeJob, T } from "../contract/harness.ts";

let schemas = 0;

async function storeWith(count: number, schema = `concurrent_${++schemas}`) {
  const cluster = await postgresCluster();
  const store = await PostgresStore.open(cluster.url(), { schema });
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

/**
 * A store of `count` queued jobs, and the function after which its database answers a write of
 * the job `unreachable` (an insert, or an update) as a server going away would (a trigger).
 */
async function storeGoingAway(count: number, write: "INSERT" | "UPDATE") {
  const schema = `concurrent_${++schemas}`;
  const store = await storeWith(count, schema);
  const goAway = async () =>
    void await (await postgresCluster()).psql(`
    CREATE FUNCTION ${schema}.going_away() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 'unreachable' THEN
          RAISE EXCEPTION 'terminating connection' USING ERRCODE = '57P01';
        END IF;
        RETURN NEW;
      END $$;
    CREATE TRIGGER going_away BEFORE ${write} ON ${schema}.jobs
      FOR EACH ROW EXECUTE FUNCTION ${schema}.going_away();`);
  return { store, goAway };
}

Deno.test("PostgresStore.insert(): written one by one, those stored before the database went away are told so", async () => {
  const { store, goAway } = await storeGoingAway(1, "INSERT");
  try {
    await goAway();
    // One turn: the id taken spoils the shared statement; alone, the third finds the server gone.
    const [stored, taken, unreachable] = await Promise.allSettled([
      store.insert({ jobs: [makeJob("a1")] }),
      store.insert({ jobs: [makeJob("j1")] }),
      store.insert({ jobs: [makeJob("unreachable")] }),
    ]);
    assert.equal(taken.status, "rejected");
    assert.equal(unreachable.status, "rejected");
    assert.match(String((unreachable as PromiseRejectedResult).reason), /unavailable/);
    assert.equal(stored.status, "fulfilled", "a1 was stored: its caller is not told otherwise");
    assert.deepEqual(ids((await store.list({ limit: 10 })).reverse()), ["j1", "a1"]);
  } finally {
    await store.close();
  }
});

Deno.test("PostgresStore.update(): written one by one, those applied before the database went away are told so", async () => {
  const { store, goAway } = await storeGoingAway(2, "UPDATE");
  try {
    await store.insert({ jobs: [makeJob("unreachable")] });
    const [running, other, gone] = await store.claim(claimOf(3, "w1", T));
    await goAway();
    const done = settleAttempt({ job: running, outcome: "completed", result: 1 }, T + 1);
    const fence = { leaseToken: running.leaseToken };
    const bad = { ...other, status: "scheduled" as const, runAt: 1e20, attempts: [] };
    const [applied, refused, unreachable] = await Promise.allSettled([
      store.update({ updates: [{ from: "in-progress", job: done, fence }] }),
      store.update({ updates: [{ from: "in-progress", job: bad }] }),
      store.update({ updates: [{ from: "in-progress", job: { ...gone, progress: 50 } }] }),
    ]);
    assert.match(String((refused as PromiseRejectedResult).reason), /out of range/);
    assert.match(String((unreachable as PromiseRejectedResult).reason), /unavailable/);
    assert.equal(applied.status, "fulfilled", "the outcome was written: its caller is told so");
    assert.deepEqual((applied as PromiseFulfilledResult<typeof done[]>).value.map((j) => j.id), [
      "j1",
    ]);
    assert.equal((await store.get({ id: "j1" }))?.status, "completed");
  } finally {
    await store.close();
  }
});
