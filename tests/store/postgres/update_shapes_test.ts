/**
 * An outcome write sends a column once when every job of the write has the same value in it,
 * and one value per job otherwise (`job_updates.ts`). Whatever the mix, each job is stored as
 * written: completions, failures that retry, a requeue and a cancel in one write, then a write
 * where every column but the ids and `data` is the same.
 */

import assert from "node:assert/strict";
import { settleAttempt } from "../../../queue/attempts/settle.ts";
import type { Job } from "../../../queue/job.ts";
import type { JobUpdate } from "../../../queue/store/job_store.ts";
import { PostgresStore } from "../../../queue/store/postgres/postgres_store.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { claimOf, makeJob, T } from "../contract/harness.ts";

/** What a write must leave in the store, compared field by field (an absent one as unset). */
function stored(job: Job | undefined) {
  if (job === undefined) return undefined;
  const { seq: _seq, ...fields } = job;
  return JSON.parse(JSON.stringify(fields));
}

Deno.test("PostgresStore stores each job of a mixed outcome write as written", async () => {
  const store = await PostgresStore.open(await (await postgresCluster()).createDatabase());
  try {
    await store.insert({
      jobs: Array.from({ length: 12 }, (_, i) => makeJob(`job-${i}`, { maxAttempts: 3 })),
    });
    const claimed = await store.claim(claimOf(12, "w1", T));
    assert.equal(claimed.length, 12);
    const fenced = (job: Job, next: Job): JobUpdate => ({
      from: "in-progress",
      job: next,
      fence: { leaseToken: job.leaseToken },
    });
    const mixed: JobUpdate[] = [
      fenced(
        claimed[0],
        settleAttempt({ job: claimed[0], outcome: "completed", result: 1 }, T + 1),
      ),
      fenced(
        claimed[1],
        settleAttempt({ job: claimed[1], outcome: "completed", result: 2 }, T + 2),
      ),
      fenced(
        claimed[2],
        settleAttempt({ job: claimed[2], outcome: "failed", error: "boom" }, T + 3, () => 0.5),
      ),
      // Put back unrun: queued again, no lease, no fence deadline.
      {
        from: "in-progress",
        job: { ...claimed[3], status: "queued", attempts: [], updatedAt: T + 4 },
        fence: { leaseToken: claimed[3].leaseToken },
      },
      // A rescue: only while the lease ran out before T + 10^9.
      {
        from: "in-progress",
        job: settleAttempt({ job: claimed[4], outcome: "interrupted", error: "died" }, T + 5),
        fence: { leaseToken: claimed[4].leaseToken, expiredBefore: T + 1e9 },
      },
      { from: "in-progress", job: { ...claimed[5], status: "cancelled", finishedAt: T + 6 } },
    ];
    // Every column the same but ids, tokens and data: sent once each.
    const alike: JobUpdate[] = claimed.slice(6).map((job) =>
      fenced(job, settleAttempt({ job, outcome: "completed", result: null }, T + 7))
    );
    for (const updates of [mixed, alike]) {
      const written = await store.update({ updates });
      assert.equal(written.length, updates.length, "every update applied");
      for (const update of updates) {
        const expected = written.find((job) => job.id === update.job.id);
        assert.deepEqual(stored(await store.get({ id: update.job.id })), stored(expected));
        assert.equal(expected?.status, update.job.status);
        assert.deepEqual(expected?.attempts, update.job.attempts);
      }
    }
    const statuses = await Promise.all(
      claimed.map(async (job) => (await store.get({ id: job.id }))?.status),
    );
    assert.deepEqual(statuses, [
      "completed",
      "completed",
      "scheduled",
      "queued",
      "scheduled",
      "cancelled",
      ...Array(6).fill("completed"),
    ]);
    // A second write of the same outcomes finds the jobs moved on: refused, nothing changed.
    assert.deepEqual(await store.update({ updates: alike }), []);
  } finally {
    await store.close();
  }
});
