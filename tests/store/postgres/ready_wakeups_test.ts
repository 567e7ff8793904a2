/**
 * Wake-ups on PostgreSQL: a store hears, through LISTEN/NOTIFY, of jobs another process made
 * ready (inserted, promoted, put back), at once and not at its safety poll (an hour here), and
 * only once they are committed; the safety poll finds jobs nobody announced.
 */

import assert from "node:assert/strict";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { waitFor } from "../../support/wait.ts";
import { claimOf, makeJob, T } from "../contract/harness.ts";

const HOUR = 3_600_000;
let schemas = 0;

/** Two stores on one new schema, as two processes would have them. */
async function twoProcesses(readyPollMs = HOUR) {
  const cluster = await postgresCluster();
  const schema = `wake_${++schemas}`;
  const listening = await PostgresStore.open(cluster.url(), { schema, readyPollMs });
  const other = await PostgresStore.open(cluster.url(), { schema });
  return { cluster, schema, listening, other };
}

/** What `store` hears, from the moment it surely listens (a first job heard), on. */
async function listen(store: PostgresStore, other: PostgresStore) {
  const heard: string[][] = [];
  const stop = store.onReady((types) => heard.push(types));
  await other.insert({ jobs: [makeJob("warm-up", { type: "warm" })] });
  await waitFor(() => heard.some((types) => types.includes("warm")), {
    message: "the first wake-up",
  });
  await other.delete({ ids: ["warm-up"] });
  heard.length = 0;
  /** Waits for the wake-up after those heard so far and returns its types, sorted. */
  const next = async () => {
    const seen = heard.length;
    return (await waitFor(() => heard[seen], { timeout: 5_000, message: "a wake-up" })).sort();
  };
  return { heard, stop, next };
}

Deno.test("PostgresStore.onReady() hears another process's insert at once, and claims it", async () => {
  const { listening, other } = await twoProcesses();
  const { stop, next } = await listen(listening, other);
  try {
    const woken = next();
    const started = performance.now();
    await other.insert({ jobs: [makeJob("a"), makeJob("r", { type: "report" })] });
    assert.deepEqual(await woken, ["email", "report"]);
    assert.ok(performance.now() - started < 2_000, "woken by the notification, not a poll");
    const claimed = await listening.claim({ ...claimOf(10, "w1", T), types: ["email"] });
    assert.deepEqual(claimed.map((job) => job.id), ["a"]);
  } finally {
    stop();
    await listening.close();
    await other.close();
  }
});

Deno.test("PostgresStore.onReady() hears promotions and jobs put back, not scheduled inserts", async () => {
  const { listening, other } = await twoProcesses();
  const { heard, stop, next } = await listen(listening, other);
  try {
    // A scheduled job, then an insert that rolls back (a duplicate id): nothing announced.
    await other.insert({ jobs: [makeJob("s", { type: "later", status: "scheduled" })] });
    await assert.rejects(other.insert({ jobs: [makeJob("s", { type: "dup" })] }));
    const queued = next();
    await other.insert({ jobs: [makeJob("q", { type: "now" })] });
    assert.deepEqual(await queued, ["now"]);
    assert.deepEqual(heard, [["now"]], "only the queued insert was announced");
    const promoted = next();
    await other.promote({ now: T + 1, limit: 10 });
    assert.deepEqual(await promoted, ["later"]);
    const [running] = await other.claim(claimOf(1, "w1", T));
    const putBack = next();
    await other.update({
      updates: [{ from: "in-progress", job: { ...running, status: "queued" } }],
    });
    assert.deepEqual(await putBack, [running.type]);
  } finally {
    stop();
    await listening.close();
    await other.close();
  }
});

Deno.test("PostgresStore.onReady()'s safety poll finds queued jobs nobody announced", async () => {
  const { cluster, schema, listening, other } = await twoProcesses(200);
  const { stop, next } = await listen(listening, other);
  try {
    await other.insert({ jobs: [makeJob("quiet", { status: "scheduled", runAt: T + HOUR })] });
    const polled = next();
    // Queued behind the stores' backs: no NOTIFY is sent.
    await cluster.psql(`UPDATE ${schema}.jobs SET status = 'queued'`);
    assert.deepEqual(await polled, ["email"]);
  } finally {
    stop();
    await listening.close();
    await other.close();
  }
});
