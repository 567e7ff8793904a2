/**
 * The claims-by-type part of the store contract (`ClaimParams.types`): a claim that names
 * types takes only jobs of those types, in the order a claim of any type would, and leaves the
 * others queued for later; an empty list takes nothing. The same on every driver.
 */

import assert from "node:assert/strict";
import type { Store } from "../../../queue/store/store.ts";
import { assertCountsMatchRows, claimOf, contractHarness, ids, makeJob, T } from "./harness.ts";

/** Claim parameters of {@linkcode claimOf}, for `types` only. */
function claimTypes(limit: number, types: readonly string[], now = T) {
  return { ...claimOf(limit, "w1", now), types };
}

/** Jobs a–f, two of each type, the types taking turns; inserted in that order. */
function mixedJobs() {
  return [
    makeJob("a", { type: "email" }),
    makeJob("b", { type: "resize" }),
    makeJob("c", { type: "sms" }),
    makeJob("d", { type: "email" }),
    makeJob("e", { type: "resize" }),
    makeJob("f", { type: "sms" }),
  ];
}

/**
 * Registers the claims-by-type part of the store contract: every driver must pass the same
 * tests. `open` gives a new, empty store; each test closes it.
 */
export function claimsContract(name: string, open: () => Promise<Store>): void {
  const { test, storeWith } = contractHarness(name, open);

  test("claim() with types takes only those, oldest first across them", async () => {
    const store = await storeWith(
      ...mixedJobs(),
      makeJob("later", { type: "email", status: "scheduled", runAt: T + 60_000 }),
    );
    const claimed = await store.claim(claimTypes(10, ["resize", "email"]));
    assert.deepEqual(ids(claimed), ["a", "b", "d", "e"]);
    for (const job of claimed) {
      assert.equal(job.status, "in-progress");
      assert.deepEqual(job.attempts, [{ number: 1, startedAt: T, workerId: "w1" }]);
    }
    assert.equal((await store.get({ id: "c" }))?.status, "queued");
    assert.equal((await store.get({ id: "later" }))?.status, "scheduled");
    const { byType } = await store.counts();
    assert.equal(byType.email["in-progress"], 2);
    assert.equal(byType.sms.queued, 2);
    await assertCountsMatchRows(store);
  });

  test("claim() with types stops at limit; the rest stay claimable, by type or not", async () => {
    const store = await storeWith(...mixedJobs());
    assert.deepEqual(ids(await store.claim(claimTypes(3, ["email", "resize"]))), ["a", "b", "d"]);
    assert.deepEqual(ids(await store.claim(claimTypes(10, ["sms"]))), ["c", "f"]);
    assert.deepEqual(ids(await store.claim(claimTypes(10, ["sms"]))), []);
    assert.deepEqual(ids(await store.claim(claimOf(10, "w2", T))), ["e"]);
    await assertCountsMatchRows(store);
  });

  test("claim() with an empty types list, or unknown types, takes nothing", async () => {
    const store = await storeWith(...mixedJobs());
    assert.deepEqual(await store.claim(claimTypes(10, [])), []);
    assert.deepEqual(await store.claim(claimTypes(10, ["unknown"])), []);
    assert.equal((await store.counts()).byStatus.queued, 6);
    assert.equal((await store.counts()).byStatus["in-progress"], 0);
    assert.deepEqual(ids(await store.claim(claimOf(10, "w1", T))), ["a", "b", "c", "d", "e", "f"]);
    await assertCountsMatchRows(store);
  });

  test("claim() with types takes jobs put back to queued and promoted ones", async () => {
    const store = await storeWith(
      makeJob("a", { type: "email" }),
      makeJob("b", { type: "resize" }),
      makeJob("s", { type: "resize", status: "scheduled", runAt: T + 10 }),
    );
    const [a] = await store.claim(claimTypes(1, ["email"]));
    assert.equal(a.id, "a");
    await store.update({
      updates: [{ from: "in-progress", job: { ...a, status: "queued", attempts: [] } }],
    });
    await store.promote({ now: T + 10, limit: 10 });
    // Which of b and s comes first is the driver's order; that both come, and alone, is not.
    assert.deepEqual(ids(await store.claim(claimTypes(10, ["resize"], T + 20))).sort(), ["b", "s"]);
    assert.deepEqual(ids(await store.claim(claimTypes(10, ["email"], T + 20))), ["a"]);
    await assertCountsMatchRows(store);
  });

  test("claim() with types leaves out jobs cancelled or removed while queued", async () => {
    const store = await storeWith(...mixedJobs());
    const [d] = await store.update({
      updates: [{
        from: "queued",
        job: { ...makeJob("d", { type: "email" }), status: "cancelled", finishedAt: T },
      }],
    });
    assert.equal(d.status, "cancelled");
    await store.delete({ ids: ["a"] });
    assert.deepEqual(ids(await store.claim(claimTypes(10, ["email", "sms"]))), ["c", "f"]);
    await assertCountsMatchRows(store);
  });

  test("claim() calls made together, by type or not, never take a job twice", async () => {
    const store = await storeWith(...mixedJobs());
    const claims = await Promise.all([
      store.claim(claimTypes(2, ["email"])),
      store.claim(claimTypes(10, ["sms", "email"])),
      store.claim(claimOf(1, "w2", T)),
      store.claim(claimTypes(10, ["resize"])),
    ]);
    const all = claims.flatMap(ids);
    assert.deepEqual([...all].sort(), ["a", "b", "c", "d", "e", "f"]);
    assert.ok(claims[0].every((job) => job.type === "email"), "email only");
    assert.ok(claims[1].every((job) => job.type !== "resize"), "sms and email only");
    assert.ok(claims[3].every((job) => job.type === "resize"), "resize only");
    // One job at most: a store shared by processes may skip the rows the others hold meanwhile
    // (PostgreSQL's SKIP LOCKED), and the others take them all between them.
    assert.ok(claims[2].length <= 1, `${claims[2].length} jobs for a claim of 1`);
    await assertCountsMatchRows(store);
  });
}
