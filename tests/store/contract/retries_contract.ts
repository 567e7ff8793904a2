/**
 * Manual retries in the store contract: inserting a copy records it on its original in the
 * same write, once, whoever asks.
 */

import assert from "node:assert/strict";
import { JobNotFoundError, JobStateError } from "../../../queue/errors.ts";
import type { Store } from "../../../queue/store/store.ts";
import { assertCountsMatchRows, contractHarness, ids, makeJob, T } from "./harness.ts";

/**
 * Registers this part of the store contract for the driver `name` that `open` creates; each
 * test closes the stores it opened.
 */
export function retriesContract(name: string, open: () => Promise<Store>): void {
  const { test, storeWith } = contractHarness(name, open);

  test("insert() of a manual retry records it on the original, once, whoever asks", async () => {
    const store = await storeWith(
      makeJob("failed", { status: "failed", finishedAt: T }),
      makeJob("waiting"),
    );
    const copy = (id: string, of: string) => makeJob(id, { retryOf: of });
    const [first] = await store.insert({ jobs: [copy("c1", "failed")] });
    assert.equal(first.retryOf, "failed");
    assert.equal((await store.get({ id: "failed" }))?.retriedBy, "c1");
    await assert.rejects(
      store.insert({ jobs: [makeJob("x"), copy("c2", "failed")] }),
      (error: Error) =>
        error instanceof JobStateError && /already retried as job c1/.test(error.message),
    );
    assert.equal(await store.get({ id: "x" }), undefined, "nothing of the batch inserted");
    await assert.rejects(store.insert({ jobs: [copy("c3", "waiting")] }), JobStateError);
    await assert.rejects(store.insert({ jobs: [copy("c4", "missing")] }), JobNotFoundError);
    assert.equal((await store.get({ id: "failed" }))?.retriedBy, "c1");
    await assertCountsMatchRows(store);
    assert.deepEqual((await store.counts()).retried, { failed: 1, cancelled: 0 });
    await store.delete({ ids: ["failed"] });
    assert.deepEqual((await store.counts()).retried, { failed: 0, cancelled: 0 });
    await assertCountsMatchRows(store);
  });

  test("insert() of two retries of one job at once keeps one", async () => {
    const store = await storeWith(makeJob("gone", { status: "cancelled", finishedAt: T }));
    const outcomes = await Promise.allSettled([
      store.insert({ jobs: [makeJob("r1", { retryOf: "gone" })] }),
      store.insert({ jobs: [makeJob("r2", { retryOf: "gone" })] }),
      store.insert({
        jobs: [makeJob("r3", { retryOf: "gone" }), makeJob("r4", { retryOf: "gone" })],
      }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "rejected", "rejected"]);
    assert.equal((await store.get({ id: "gone" }))?.retriedBy, "r1");
    const copies = (await store.list({ limit: 10 })).filter((job) => job.retryOf === "gone");
    assert.deepEqual(ids(copies), ["r1"]);
  });
}
