/**
 * PostgresStore inserts: every column of a job in any state is stored as given (the insert
 * reads them as arrays), the jobs of one call are numbered in their order, and the inserts of
 * callers that come while another waits are written beside it, not after it: one held by a
 * lock holds back no other, and fails alone, even when batches written at once deadlock.
 */

import assert from "node:assert/strict";
import type { Job } from "../../../queue/job.ts";
import { connect, type Sql } from "../../../queue/store/postgres/connection.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { deadline, waitFor } from "../../support/wait.ts";
import { claimOf, ids, makeJob, T } from "../contract/harness.ts";

let schemas = 0;

/** A store on a new schema, and a session of its own on it for what a test does aside. */
async function opened(): Promise<{ store: PostgresStore; aside: Sql }> {
  const cluster = await postgresCluster();
  const schema = `inserts_${++schemas}`;
  const store = await PostgresStore.open(cluster.url(), { schema });
  const aside = connect(cluster.url(), { schema, synchronousCommit: "on", max: 2 });
  return { store, aside };
}

/** Statements of this database waiting for a lock. */
async function lockWaits(sql: Sql): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return n;
}

/**
 * Inserts a row with `id` in a transaction of `aside` left open until the function returned is
 * called (committing it, or rolling it back; the first call decides): an insert of that id
 * waits for it meanwhile.
 */
async function holdId(aside: Sql, id: string) {
  const ended = Promise.withResolvers<"commit" | "rollback">();
  const inserted = Promise.withResolvers<void>();
  const holding = aside.begin(async (tx) => {
    await tx`INSERT INTO jobs (id, status, type, run_at, updated_at, data)
             VALUES (${id}, 'cancelled', 'email', ${T}, ${T}, '{}')`;
    inserted.resolve();
    if (await ended.promise === "rollback") throw new Error("rolled back");
  }).catch((error) => {
    if (!/rolled back/.test(String(error))) throw error;
  });
  await inserted.promise;
  return async (how: "commit" | "rollback") => {
    ended.resolve(how);
    await holding;
  };
}

Deno.test("PostgresStore.insert() stores every column of jobs in any state as given", async () => {
  const { store, aside } = await opened();
  try {
    const jobs: Job[] = [
      makeJob("queued", { payload: { z: 1, a: [2, { y: 'ü"\\' }] } }),
      makeJob("scheduled", { status: "scheduled", runAt: T + 60_000 }),
      makeJob("running", {
        status: "in-progress",
        leaseOwner: "node-1",
        leaseExpiresAt: T + 30_000,
        leaseToken: "token-1",
        attempts: [
          { number: 1, startedAt: T, endedAt: T + 5, workerId: "w0", error: "boom" },
          { number: 2, startedAt: T + 10, workerId: "w1" },
        ],
        logs: [{ at: T + 11, attempt: 2, message: "half way" }],
        progress: 50,
      }),
      makeJob("done", { status: "completed", finishedAt: T + 7, result: { ok: true } }),
      makeJob("failed", { status: "failed", finishedAt: T + 8, error: "no", retriedBy: "x" }),
      makeJob('cancelled\'s "id"', { type: "other", status: "cancelled", finishedAt: T + 9 }),
    ];
    const inserted = await store.insert({ jobs });
    for (const [i, job] of jobs.entries()) {
      assert.deepEqual(await store.get({ id: job.id }), { ...job, seq: inserted[i].seq });
    }
    // `data` is kept as written: the payload's keys in the order given.
    const [row] = await aside<{ data: string }[]>`SELECT data::text FROM jobs WHERE id = 'queued'`;
    assert.match(row.data, /^\{"payload":\{"z":1,"a":\[2,\{"y":"ü\\"\\\\"\}\]\}/);
  } finally {
    await aside.end();
    await store.close();
  }
});

Deno.test("PostgresStore.insert() numbers a call's jobs in their order, as claims take them", async () => {
  const { store, aside } = await opened();
  try {
    const jobs = Array.from({ length: 1_000 }, (_, i) => makeJob(`j${(i * 7919) % 1_000}`));
    const inserted = await store.insert({ jobs });
    assert.deepEqual(ids(inserted), ids(jobs));
    const stored = await aside<
      { id: string; seq: number }[]
    >`SELECT id, seq FROM jobs ORDER BY seq`;
    assert.deepEqual(stored.map((row) => row.id), ids(jobs));
    assert.deepEqual(inserted.map((job) => job.seq), stored.map((row) => row.seq));
    assert.deepEqual(ids(await store.claim(claimOf(1_000, "w1", T))), ids(jobs));
  } finally {
    await aside.end();
    await store.close();
  }
});

Deno.test("PostgresStore.insert() held by a lock holds back no insert after it, and fails alone", async () => {
  const { store, aside } = await opened();
  let end: ((how: "commit" | "rollback") => Promise<void>) | undefined;
  try {
    end = await holdId(aside, "held");
    // One batch of two callers: the statement waits for the transaction that holds "held".
    const duplicate = store.insert({ jobs: [makeJob("w1"), makeJob("held")] });
    const innocent = store.insert({ jobs: [makeJob("w2")] });
    await waitFor(async () => await lockWaits(aside) === 1, { message: "the insert to wait" });
    const after = await deadline(store.insert({ jobs: [makeJob("after")] }), {
      timeout: 30_000,
      message: "an insert made while another waits",
    });
    assert.deepEqual(ids(after), ["after"]);
    await end("commit");
    await assert.rejects(duplicate, /A job with id held already exists/);
    assert.deepEqual(ids(await innocent), ["w2"]);
    assert.equal(await store.get({ id: "w1" }), undefined);
    const queued = await aside<{ id: string }[]>`
      SELECT id FROM jobs WHERE status = 'queued' ORDER BY id`;
    assert.deepEqual(queued.map((row) => row.id), ["after", "w2"]);
  } finally {
    await end?.("rollback"); // a test that failed midway leaves no insert waiting
    await aside.end();
    await store.close();
  }
});

Deno.test("PostgresStore.insert() of two callers repeating each other's ids: one stored, one a duplicate", async () => {
  const { store, aside } = await opened();
  let end: ((how: "commit" | "rollback") => Promise<void>) | undefined;
  try {
    end = await holdId(aside, "h");
    // The first inserts a1 and waits for h; the second inserts b1 and waits for a1; once h is
    // free, the first waits for b1: a deadlock, which the database breaks by stopping one.
    const first = store.insert({ jobs: [makeJob("a1"), makeJob("h"), makeJob("b1")] });
    await waitFor(async () => await lockWaits(aside) === 1, { message: "the first to wait" });
    const second = store.insert({ jobs: [makeJob("b1"), makeJob("a1")] });
    await waitFor(async () => await lockWaits(aside) === 2, { message: "the second to wait" });
    await end("rollback");
    const outcomes = await deadline(Promise.allSettled([first, second]), {
      timeout: 30_000,
      message: "both inserts to end",
    });
    const stored = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    assert.equal(stored.length, 1);
    assert.equal(refused.length, 1);
    assert.match(String(refused[0].reason), /A job with id (a1|b1) already exists/);
    const rows = await aside<{ n: number }[]>`SELECT count(*)::int AS n FROM jobs`;
    assert.equal(rows[0].n, stored[0].value.length);
  } finally {
    await end?.("rollback"); // a test that failed midway leaves no insert waiting
    await aside.end();
    await store.close();
  }
});
