/**
 * The jobs part of the store contract: inserting, claiming, updating under a status guard,
 * promoting, listing, deleting, pruning and counts, the same on every driver. Attempts and
 * leases, and manual retries, have parts of their own.
 */

import assert from "node:assert/strict";
import type { Job } from "../../../queue/job.ts";
import type { Store } from "../../../queue/store/store.ts";
import { assertCountsMatchRows, claimOf, contractHarness, ids, makeJob, T } from "./harness.ts";

/** Changes a job handed back by a store, as careless code might; a frozen job refuses. */
function tryToChange(job: Job): void {
  try {
    job.status = "failed";
    job.attempts.push({ number: 9, startedAt: T, workerId: "x" });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error; // frozen: refused loudly, which is fine
  }
}

/**
 * Registers the jobs part of the store contract (`JobStore`): every driver must pass the same
 * tests. `open` gives a new, empty store; each test closes it.
 */
export function jobsContract(name: string, open: () => Promise<Store>): void {
  const { test, opened, storeWith } = contractHarness(name, open);

  test("insert() assigns increasing seq and stores the jobs", async () => {
    const store = await opened();
    const first = await store.insert({ jobs: [makeJob("a"), makeJob("b")] });
    const second = await store.insert({ jobs: [makeJob("c")] });
    // Increasing, not numbered from 1: a store shared by many processes hands out seq for all.
    const [a, b] = first;
    assert.ok(a.seq > 0 && b.seq > a.seq, `seq ${a.seq} then ${b.seq}`);
    assert.ok(second[0].seq > b.seq, `seq ${b.seq} then ${second[0].seq}`);
    assert.deepEqual(await store.get({ id: "b" }), { ...makeJob("b"), seq: b.seq });
    assert.equal(await store.get({ id: "missing" }), undefined);
  });

  test("insert() rejects a duplicate id and inserts nothing of the batch", async () => {
    const store = await storeWith(makeJob("a"));
    await assert.rejects(
      store.insert({ jobs: [makeJob("b"), makeJob("a", { type: "other" })] }),
      /already exists/,
    );
    assert.equal(await store.get({ id: "b" }), undefined);
    assert.equal((await store.get({ id: "a" }))?.type, "email");
    assert.equal((await store.counts()).byStatus.queued, 1);
  });

  test("insert() rejects a batch that repeats an id and inserts nothing", async () => {
    const store = await opened();
    await assert.rejects(
      store.insert({ jobs: [makeJob("a"), makeJob("b"), makeJob("a")] }),
      /already exists/,
    );
    assert.deepEqual(await store.list({ limit: 10 }), []);
    assert.equal((await store.counts()).byStatus.queued, 0);
    assert.deepEqual(ids(await store.insert({ jobs: [makeJob("a")] })), ["a"]);
  });

  test("insert() calls made together stay separate: a bad one fails alone", async () => {
    const store = await storeWith(makeJob("a"));
    const [x, duplicate, y, z] = await Promise.allSettled([
      store.insert({ jobs: [makeJob("x")] }),
      store.insert({ jobs: [makeJob("b"), makeJob("a", { type: "other" })] }),
      store.insert({ jobs: [makeJob("y"), makeJob("y2")] }),
      store.insert({ jobs: [makeJob("z")] }),
    ]);
    assert.equal(duplicate.status, "rejected");
    assert.match(String(duplicate.reason), /already exists/);
    const seqs = [x, y, z].map((outcome) => {
      assert.equal(outcome.status, "fulfilled");
      return outcome.value.map((job) => job.seq);
    });
    // Each call gets its own jobs back, numbered in the order the calls came.
    assert.equal(seqs[0].length, 1);
    assert.deepEqual(seqs.flat(), [...seqs.flat()].sort((p, q) => p - q));
    assert.equal(new Set(seqs.flat()).size, 4);
    assert.deepEqual(
      (await store.list({ limit: 10 })).map((job) => job.id).sort(),
      ["a", "x", "y", "y2", "z"],
    );
    assert.equal(await store.get({ id: "b" }), undefined);
    assert.equal((await store.counts()).byStatus.queued, 5);
    const claimed = await store.claim(claimOf(10, "w1", T));
    assert.deepEqual(ids(claimed), ["a", "x", "y", "y2", "z"]);
  });

  test("claim() takes the oldest queued jobs and appends an attempt", async () => {
    const store = await storeWith(
      makeJob("a"),
      makeJob("later", { status: "scheduled", runAt: T + 60_000 }),
      makeJob("b"),
      makeJob("c"),
    );
    const claimed = await store.claim(claimOf(2, "w1", T + 10));
    assert.deepEqual(ids(claimed), ["a", "b"]);
    for (const job of claimed) {
      assert.equal(job.status, "in-progress");
      assert.equal(job.updatedAt, T + 10);
      assert.deepEqual(job.attempts, [{ number: 1, startedAt: T + 10, workerId: "w1" }]);
    }
    assert.equal((await store.get({ id: "a" }))?.status, "in-progress");
    assert.deepEqual(ids(await store.claim(claimOf(5, "w2", T + 20))), ["c"]);
    assert.deepEqual(await store.claim(claimOf(5, "w2", T + 30)), []);
  });

  test("claim() numbers the attempt after those already made", async () => {
    const earlier = { number: 1, startedAt: T, endedAt: T + 1, workerId: "w1", outcome: "failed" };
    const store = await storeWith(makeJob("a", { attempts: [earlier as Job["attempts"][0]] }));
    const [job] = await store.claim(claimOf(1, "w3", T + 5));
    assert.deepEqual(job.attempts.map((a) => [a.number, a.workerId]), [[1, "w1"], [2, "w3"]]);
  });

  test("update() applies only updates whose job is still in `from`", async () => {
    const store = await storeWith(makeJob("a"), makeJob("b"));
    const [a] = await store.claim(claimOf(1, "w1", T));
    const applied = await store.update({
      updates: [
        { from: "in-progress", job: { ...a, status: "completed", finishedAt: T + 1, seq: 99 } },
        { from: "in-progress", job: { ...makeJob("b"), status: "completed" } }, // b is queued
        { from: "queued", job: makeJob("ghost") },
      ],
    });
    assert.deepEqual(ids(applied), ["a"]);
    assert.equal(applied[0].seq, 1, "seq is the store's, not the caller's");
    assert.equal((await store.get({ id: "a" }))?.status, "completed");
    assert.equal((await store.get({ id: "b" }))?.status, "queued");
    assert.equal(await store.get({ id: "ghost" }), undefined);
    const { byStatus } = await store.counts();
    assert.equal(byStatus.completed, 1);
    assert.equal(byStatus.queued, 1);
    assert.equal(byStatus["in-progress"], 0);
  });

  test("update() back to queued makes the job claimable again", async () => {
    const store = await storeWith(makeJob("a"));
    const [a] = await store.claim(claimOf(1, "w1", T));
    await store.update({ updates: [{ from: "in-progress", job: { ...a, status: "queued" } }] });
    assert.deepEqual(ids(await store.claim(claimOf(1, "w2", T + 1))), ["a"]);
  });

  test("promote() queues scheduled jobs by runAt and reports nextRunAt", async () => {
    const store = await storeWith(
      makeJob("s30", { status: "scheduled", runAt: T + 30 }),
      makeJob("s10", { status: "scheduled", runAt: T + 10 }),
      makeJob("s20", { status: "scheduled", runAt: T + 20 }),
    );
    const none = await store.promote({ now: T + 5, limit: 10 });
    assert.deepEqual(none, { promoted: [], nextRunAt: T + 10 });
    const first = await store.promote({ now: T + 20, limit: 10 });
    assert.deepEqual(ids(first.promoted), ["s10", "s20"]);
    assert.equal(first.promoted[0].status, "queued");
    assert.equal(first.promoted[0].updatedAt, T + 20);
    assert.equal(first.nextRunAt, T + 30);
    assert.deepEqual(ids(await store.claim(claimOf(5, "w1", T + 21))), [
      "s10",
      "s20",
    ]);
    const last = await store.promote({ now: T + 100, limit: 10 });
    assert.deepEqual(ids(last.promoted), ["s30"]);
    assert.equal(last.nextRunAt, undefined);
  });

  test("promote() respects limit and skips rescheduled or cancelled jobs", async () => {
    const store = await storeWith(
      makeJob("a", { status: "scheduled", runAt: T + 1 }),
      makeJob("b", { status: "scheduled", runAt: T + 2 }),
      makeJob("c", { status: "scheduled", runAt: T + 3 }),
    );
    const limited = await store.promote({ now: T + 10, limit: 1 });
    assert.deepEqual(ids(limited.promoted), ["a"]);
    assert.equal(limited.nextRunAt, T + 2);
    const b = (await store.get({ id: "b" }))!;
    const c = (await store.get({ id: "c" }))!;
    await store.update({
      updates: [
        { from: "scheduled", job: { ...b, status: "cancelled" } },
        { from: "scheduled", job: { ...c, runAt: T + 50 } },
      ],
    });
    const next = await store.promote({ now: T + 10, limit: 10 });
    assert.deepEqual(next, { promoted: [], nextRunAt: T + 50 });
  });

  test("list() pages newest first, filtered by status and type", async () => {
    const store = await storeWith(
      makeJob("j1"),
      makeJob("j2", { type: "report" }),
      makeJob("j3", { status: "scheduled", runAt: T + 1 }),
      makeJob("j4", { type: "report" }),
      makeJob("j5"),
    );
    assert.deepEqual(ids(await store.list({ limit: 10 })), ["j5", "j4", "j3", "j2", "j1"]);
    assert.deepEqual(ids(await store.list({ limit: 2 })), ["j5", "j4"]);
    assert.deepEqual(ids(await store.list({ limit: 2, beforeSeq: 4 })), ["j3", "j2"]);
    assert.deepEqual(ids(await store.list({ limit: 10, beforeSeq: 2 })), ["j1"]);
    assert.deepEqual(ids(await store.list({ limit: 10, type: "report" })), ["j4", "j2"]);
    assert.deepEqual(ids(await store.list({ limit: 10, status: "scheduled" })), ["j3"]);
    assert.deepEqual(
      ids(await store.list({ limit: 10, status: "queued", type: "email", beforeSeq: 5 })),
      ["j1"],
    );
  });

  test("list() with idMatch finds jobs whose id starts or ends with it", async () => {
    const store = await storeWith(
      makeJob("0a1b-aaaa-tail1"),
      makeJob("0a1b-bbbb-tail2"),
      makeJob("ffff-cccc-tail1"),
    );
    const match = async (idMatch: string) => ids(await store.list({ limit: 10, idMatch })).sort();
    assert.deepEqual(await match("tail1"), ["0a1b-aaaa-tail1", "ffff-cccc-tail1"]);
    assert.deepEqual(await match("0a1b"), ["0a1b-aaaa-tail1", "0a1b-bbbb-tail2"]);
    assert.deepEqual(await match("bbbb-tail2"), ["0a1b-bbbb-tail2"]);
    assert.deepEqual(await match("cccc"), [], "the middle of an id does not match");
  });

  test("delete() removes by ids, by status, or everything", async () => {
    const store = await storeWith(
      makeJob("a"),
      makeJob("b", { status: "completed" }),
      makeJob("c", { status: "completed" }),
      makeJob("d"),
    );
    assert.deepEqual(await store.delete({ ids: ["a", "missing"] }), { removed: 1, unfinished: 1 });
    assert.equal(await store.get({ id: "a" }), undefined);
    assert.deepEqual(await store.delete({ status: "completed" }), { removed: 2, unfinished: 0 });
    assert.equal(await store.get({ id: "b" }), undefined);
    assert.deepEqual(await store.delete({ ids: ["d"], status: "failed" }), {
      removed: 0,
      unfinished: 0,
    });
    assert.deepEqual(ids(await store.list({ limit: 10 })), ["d"]);
    assert.deepEqual(await store.delete({}), { removed: 1, unfinished: 1 });
    assert.deepEqual(await store.list({ limit: 10 }), []);
    assert.deepEqual(await store.claim(claimOf(10, "w1", T)), []);
  });

  test("counts() counts by status and by type, following every change", async () => {
    const store = await storeWith(
      makeJob("a"),
      makeJob("b", { type: "report" }),
      makeJob("c", { status: "scheduled", runAt: T + 1 }),
    );
    await store.claim(claimOf(1, "w1", T));
    await store.delete({ ids: ["b"] });
    const counts = await store.counts();
    assert.deepEqual(counts.byStatus, {
      "queued": 0,
      "scheduled": 1,
      "in-progress": 1,
      "completed": 0,
      "failed": 0,
      "cancelled": 0,
    });
    assert.equal(counts.byType.email["in-progress"], 1);
    assert.equal(counts.byType.email.scheduled, 1);
    assert.equal(counts.byType.report.queued, 0);
    counts.byStatus.queued = 42; // a snapshot: changing it must not change the store
    assert.equal((await store.counts()).byStatus.queued, 0);
  });

  test("counts() follow an insert and a claim of the same moment, as written", async () => {
    const store = await storeWith(makeJob("a"));
    // Called together: a store that batches writes runs both in one transaction, the claim
    // taking the job the insert just added.
    const [inserted, claimed] = await Promise.all([
      store.insert({ jobs: [makeJob("b", { type: "report" })] }),
      store.claim(claimOf(10, "w1", T)),
    ]);
    assert.equal(inserted[0].status, "queued", "the insert answers the job as inserted");
    const running = ids(claimed);
    const stillQueued = ["a", "b"].filter((id) => !running.includes(id));
    for (const id of running) assert.equal((await store.get({ id }))?.status, "in-progress");
    for (const id of stillQueued) assert.equal((await store.get({ id }))?.status, "queued");
    await assertCountsMatchRows(store);
    const { byStatus } = await store.counts();
    assert.equal(byStatus.queued + byStatus["in-progress"], 2);
    for (const n of Object.values(byStatus)) assert.ok(n >= 0, `no negative count: ${n}`);
  });

  test("jobs handed back are snapshots: changing one changes nothing stored", async () => {
    const store = await opened();
    const [inserted] = await store.insert({ jobs: [makeJob("a")] });
    tryToChange(inserted);
    const claimed = await store.claim(claimOf(1, "w1", T));
    assert.deepEqual(ids(claimed), ["a"]);
    assert.equal(claimed[0].attempts.length, 1);
    tryToChange((await store.get({ id: "a" }))!);
    tryToChange(claimed[0]);
    const stored = await store.get({ id: "a" });
    assert.equal(stored?.status, "in-progress");
    assert.equal(stored?.attempts.length, 1);
    await assertCountsMatchRows(store);
  });

  test("prune() removes finished jobs past their age and beyond the count, oldest first", async () => {
    const done = (id: string, status: "completed" | "failed", finishedAt: number) =>
      makeJob(id, { status, finishedAt, updatedAt: finishedAt });
    const store = await storeWith(
      done("old-ok", "completed", T - 100),
      done("ok1", "completed", T),
      done("ok2", "completed", T + 1),
      done("ok3", "completed", T + 2),
      done("old-bad", "failed", T - 100),
      done("bad", "failed", T),
      makeJob("waiting"),
    );
    const finishedBefore = { completed: T - 10, failed: T - 1000, cancelled: T - 1000 };
    assert.equal(await store.prune({ finishedBefore, keep: 2, limit: 100 }), 2);
    assert.deepEqual(ids(await store.list({ limit: 10 })), [
      "waiting",
      "bad",
      "old-bad",
      "ok3",
      "ok2",
    ]);
    assert.equal((await store.counts()).byStatus.completed, 2);
    assert.equal(await store.prune({ finishedBefore, keep: 0, limit: 1 }), 1);
    assert.equal(await store.prune({ finishedBefore, keep: 0, limit: 100 }), 3);
    assert.deepEqual(ids(await store.list({ limit: 10 })), ["waiting"]);
  });
}
