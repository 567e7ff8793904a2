/**
 * Attempts and leases in the store contract: every write follows the lifecycle table, a
 * fenced write applies only to the current attempt, and leases are renewed by their owner.
 */

import assert from "node:assert/strict";
import {
  canTransition,
  FINAL_STATUSES,
  IllegalTransitionError,
  JOB_STATUSES,
} from "../../../queue/lifecycle.ts";
import type { Store } from "../../../queue/store/store.ts";
import { assertCountsMatchRows, claimOf, contractHarness, ids, makeJob, T } from "./harness.ts";

/**
 * Registers this part of the store contract for the driver `name` that `open` creates; each
 * test closes the stores it opened.
 */
export function attemptsContract(name: string, open: () => Promise<Store>): void {
  const { test, opened, storeWith } = contractHarness(name, open);

  test("update() refuses every move the lifecycle table does not allow, writing nothing", async () => {
    const store = await opened();
    let refused = 0;
    for (const from of JOB_STATUSES) {
      for (const to of JOB_STATUSES) {
        const allowed = from === to ? !FINAL_STATUSES.has(from) : canTransition(from, to);
        if (allowed) continue;
        const id = `${from}-to-${to}`;
        const [job] = await store.insert({ jobs: [makeJob(id, { status: from })] });
        const legal = makeJob(`legal-${id}`);
        await store.insert({ jobs: [legal] });
        await assert.rejects(
          store.update({
            updates: [
              { from: "queued", job: { ...legal, status: "cancelled", finishedAt: T } },
              { from, job: { ...job, status: to } },
            ],
          }),
          IllegalTransitionError,
          id,
        );
        assert.equal((await store.get({ id }))?.status, from, id);
        assert.equal((await store.get({ id: `legal-${id}` }))?.status, "queued", "nothing written");
        refused++;
      }
    }
    assert.equal(refused, 36 - 9 - 3, "every forbidden move tried");
    await assertCountsMatchRows(store);
  });

  test("update() never changes a job's type", async () => {
    const store = await storeWith(makeJob("a"));
    const renamed = { ...makeJob("a"), type: "other", status: "cancelled" as const };
    assert.deepEqual(await store.update({ updates: [{ from: "queued", job: renamed }] }), []);
    assert.equal((await store.get({ id: "a" }))?.type, "email");
    await assertCountsMatchRows(store);
  });

  test("update() with a fence applies only while that attempt is current", async () => {
    const store = await storeWith(makeJob("a"));
    const [first] = await store.claim(claimOf(1, "w1", T));
    // The first attempt is put back and claimed again: a second attempt, a new token.
    const putBack = { ...first, status: "queued" as const, attempts: [] };
    const fence = { leaseToken: first.leaseToken };
    assert.equal(
      (await store.update({ updates: [{ from: "in-progress", job: putBack, fence }] })).length,
      1,
    );
    const [second] = await store.claim(claimOf(1, "w2", T + 10));
    assert.notEqual(second.leaseToken, first.leaseToken);
    const late = { ...first, status: "completed" as const, result: "late", finishedAt: T + 20 };
    assert.deepEqual(
      await store.update({ updates: [{ from: "in-progress", job: late, fence }] }),
      [],
    );
    const current = await store.get({ id: "a" });
    assert.equal(current?.status, "in-progress");
    assert.equal(current?.attempts.at(-1)?.workerId, "w2");
    assert.equal(current?.result, undefined);
    const done = { ...second, status: "completed" as const, result: "ok", finishedAt: T + 30 };
    const applied = await store.update({
      updates: [{ from: "in-progress", job: done, fence: { leaseToken: second.leaseToken } }],
    });
    assert.equal(applied[0]?.result, "ok");
    assert.equal((await store.get({ id: "a" }))?.leaseToken, undefined, "no lease once final");
  });

  test("update() with remove deletes the job under the same conditions, and returns it", async () => {
    const store = await storeWith(makeJob("a"), makeJob("b"), makeJob("c"), makeJob("d"));
    const claimed = await store.claim(claimOf(4, "w1", T));
    const byId = new Map(claimed.map((job) => [job.id, job]));
    const ended = (id: string, status: "completed" | "failed") => ({
      ...byId.get(id)!,
      status,
      result: id,
      finishedAt: T + 5,
    });
    const applied = await store.update({
      updates: [
        // Removed, each on its attempt; one whose fence names another attempt is refused.
        {
          from: "in-progress",
          job: ended("a", "completed"),
          remove: true,
          fence: { leaseToken: byId.get("a")!.leaseToken },
        },
        {
          from: "in-progress",
          job: ended("b", "completed"),
          remove: true,
          fence: { leaseToken: "not-its-token" },
        },
        // Kept, in the same write: a failure, and a completion without `remove`.
        {
          from: "in-progress",
          job: ended("c", "failed"),
          fence: { leaseToken: byId.get("c")!.leaseToken },
        },
        { from: "in-progress", job: ended("d", "completed") },
      ],
    });
    assert.deepEqual(ids(applied).sort(), ["a", "c", "d"]);
    const removed = applied.find((job) => job.id === "a")!;
    assert.equal(removed.status, "completed");
    assert.equal(removed.result, "a");
    assert.equal(removed.seq, byId.get("a")!.seq);
    assert.equal(removed.leaseToken, undefined);
    assert.equal(await store.get({ id: "a" }), undefined, "a is gone");
    assert.equal((await store.get({ id: "b" }))?.status, "in-progress", "b refused: still runs");
    assert.equal((await store.get({ id: "c" }))?.status, "failed");
    assert.equal((await store.get({ id: "d" }))?.status, "completed");
    // A removal of a job already gone, or no longer in `from`, is refused like an update.
    assert.deepEqual(
      await store.update({
        updates: [
          { from: "in-progress", job: ended("a", "completed"), remove: true },
          { from: "in-progress", job: ended("d", "completed"), remove: true },
        ],
      }),
      [],
    );
    assert.equal((await store.get({ id: "d" }))?.status, "completed");
    const counts = await store.counts();
    assert.equal(counts.byStatus.completed, 1);
    assert.equal(counts.byStatus["in-progress"], 1);
    await assertCountsMatchRows(store);
  });

  test("update() refuses a remove that does not end its job, writing nothing", async () => {
    const store = await storeWith(makeJob("a"), makeJob("b"));
    const [a] = await store.claim(claimOf(1, "w1", T));
    await assert.rejects(
      store.update({
        updates: [
          { from: "queued", job: { ...makeJob("b"), status: "cancelled", finishedAt: T } },
          { from: "in-progress", job: { ...a, status: "queued" }, remove: true },
        ],
      }),
      RangeError,
    );
    assert.equal((await store.get({ id: "a" }))?.status, "in-progress");
    assert.equal((await store.get({ id: "b" }))?.status, "queued", "nothing written");
    await assertCountsMatchRows(store);
  });

  test("update() fenced by expiredBefore applies only to a lease that ran out", async () => {
    const store = await storeWith(makeJob("a"));
    const [a] = await store.claim(claimOf(1, "w1", T)); // lease until T + 60s
    const rescued = { ...a, status: "scheduled" as const, runAt: T + 1 };
    const early = { leaseToken: a.leaseToken, expiredBefore: T + 30_000 };
    assert.deepEqual(
      await store.update({ updates: [{ from: "in-progress", job: rescued, fence: early }] }),
      [],
    );
    const late = { leaseToken: a.leaseToken, expiredBefore: T + 90_000 };
    assert.equal(
      (await store.update({ updates: [{ from: "in-progress", job: rescued, fence: late }] }))
        .length,
      1,
    );
  });

  test("claim() records the lease, and renewLeases() extends only the owner's", async () => {
    const store = await storeWith(makeJob("a"), makeJob("b"));
    const [a] = await store.claim(claimOf(1, "w1", T));
    assert.equal(a.leaseOwner, "me");
    assert.equal(a.leaseExpiresAt, T + 60_000);
    const [b] = await store.claim({
      limit: 1,
      workerId: "w9",
      now: T,
      leaseOwner: "other",
      leaseUntil: T + 5,
    });
    assert.ok(a.leaseToken && b.leaseToken && a.leaseToken !== b.leaseToken, "a token per claim");
    const leases = [a, b, { id: "missing", leaseToken: "x" }].map(({ id, leaseToken }) => ({
      id,
      leaseToken: leaseToken!,
    }));
    assert.deepEqual(await store.renewLeases({ owner: "me", until: T + 120_000, leases }), ["a"]);
    assert.deepEqual(
      await store.renewLeases({ owner: "me", until: T + 130_000, leases: leases.slice(1) }),
      [],
    );
    assert.equal((await store.get({ id: "a" }))?.leaseExpiresAt, T + 120_000);
    assert.equal((await store.get({ id: "b" }))?.leaseExpiresAt, T + 5);
  });

  test("expiredLeases() finds in-progress jobs whose lease ran out, or all with Infinity", async () => {
    const store = await storeWith(makeJob("a"), makeJob("b"), makeJob("c"));
    await store.claim({ limit: 1, workerId: "w1", now: T, leaseOwner: "x", leaseUntil: T + 10 });
    await store.claim({ limit: 1, workerId: "w1", now: T, leaseOwner: "y", leaseUntil: T + 100 });
    assert.deepEqual(ids(await store.expiredLeases({ now: T + 50, limit: 10 })), ["a"]);
    assert.deepEqual(ids(await store.expiredLeases({ now: Infinity, limit: 10 })).sort(), [
      "a",
      "b",
    ]);
    assert.deepEqual(ids(await store.expiredLeases({ now: Infinity, limit: 1 })).length, 1);
    const [a] = await store.expiredLeases({ now: T + 50, limit: 10 });
    assert.equal(a.attempts.length, 1, "the interrupted attempt is there to be closed");
  });

  test("update() out of in-progress drops the lease", async () => {
    const store = await storeWith(makeJob("a"));
    const [a] = await store.claim(claimOf(1, "w1", T));
    await store.update({ updates: [{ from: "in-progress", job: { ...a, status: "queued" } }] });
    const queued = (await store.get({ id: "a" }))!;
    assert.equal(queued.leaseOwner, undefined);
    assert.deepEqual(await store.expiredLeases({ now: Infinity, limit: 10 }), []);
  });
}
