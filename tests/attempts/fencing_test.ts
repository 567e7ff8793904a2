/**
 * Attempt fencing through the queue, on every store: a late outcome of an attempt that lost its
 * lease never overwrites the newer attempt, and a lease renewed while the rescuer looks keeps
 * its attempt running.
 */

import assert from "node:assert/strict";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { INTERRUPTED } from "../../queue/maintenance/rescuer.ts";
import { Queue } from "../../queue/queue.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";

const registry = await HandlerRegistry.load([]);
const LEASE = 1_000;

const stores: [string, () => Store][] = [
  ["MemoryStore", () => new MemoryStore()],
  [
    "SqliteStore",
    () => SqliteStore.open(`${Deno.makeTempDirSync({ prefix: "denoqueue-fence-" })}/jobs.db`),
  ],
];

async function queueOn(store: Store) {
  const clock = { now: 1_700_000_000_000 };
  const queue = new Queue({
    store,
    registry,
    events: new JobEvents(),
    leaseMs: LEASE,
    now: () => clock.now,
    random: () => 0, // retries are due at once
  });
  await queue.open();
  return { queue, clock };
}

for (const [name, open] of stores) {
  Deno.test(`Queue.finish() on ${name}: a late outcome never overwrites the newer attempt`, async () => {
    const store = open();
    const { queue, clock } = await queueOn(store);
    try {
      const [job] = await queue.enqueue([{
        type: "noop",
        payload: {},
        options: { maxAttempts: 3 },
      }]);
      const [first] = await queue.claim(1, "w1");
      // Attempt 1 stalls past its lease; the rescuer ends it and the retry starts attempt 2.
      clock.now += LEASE + 1;
      assert.equal(await queue.maintenance.rescuer.runOnce(), 1);
      await queue.maintenance.scheduler.runOnce();
      const [second] = await queue.claim(1, "w2");
      assert.equal(second.id, job.id);
      assert.equal(second.attempts.length, 2);
      // Attempt 1's handler finishes now: refused, counted, nothing of it stored.
      assert.equal(await queue.finish([{ job: first, outcome: "completed", result: "late" }]), 0);
      const during = await queue.get(job.id);
      assert.equal(during?.status, "in-progress");
      assert.equal(during?.result, undefined);
      assert.deepEqual(during?.attempts.map((a) => a.outcome), ["interrupted", undefined]);
      assert.equal((await queue.stats()).staleOutcomes, 1);
      assert.deepEqual(await queue.renewLeases([first, second]), [second.id], "attempt 1 lost it");
      // Attempt 2 finishes: its outcome is the one stored, with attempt 1's history kept.
      assert.equal(await queue.finish([{ job: second, outcome: "completed", result: "ok" }]), 1);
      const done = await queue.get(job.id);
      assert.equal(done?.status, "completed");
      assert.equal(done?.result, "ok");
      assert.deepEqual(done?.attempts.map((a) => [a.workerId, a.outcome, a.error]), [
        ["w1", "interrupted", INTERRUPTED],
        ["w2", "completed", undefined],
      ]);
    } finally {
      queue.close();
      await store.close();
    }
  });

  Deno.test(`Rescuer.runOnce() on ${name} leaves an attempt renewed after it looked`, async () => {
    const store = open();
    const { queue, clock } = await queueOn(store);
    try {
      await queue.enqueue([{ type: "noop", payload: {} }]);
      const [running] = await queue.claim(1, "w1");
      clock.now += LEASE + 1;
      // Between the rescuer's look and its write, this process renews the lease.
      const look = store.expiredLeases.bind(store);
      store.expiredLeases = async (params) => {
        const found = await look(params);
        await queue.renewLeases([running]);
        return found;
      };
      assert.equal(await queue.maintenance.rescuer.runOnce(), 0);
      const job = await queue.get(running.id);
      assert.equal(job?.status, "in-progress");
      assert.equal(job?.attempts.length, 1);
      assert.equal(job?.leaseToken, running.leaseToken);
    } finally {
      queue.close();
      await store.close();
    }
  });
}
