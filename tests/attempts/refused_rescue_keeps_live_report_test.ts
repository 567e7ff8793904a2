/**
 * A rescue the store refuses (the attempt's lease was renewed between the rescuer's look and its
 * write) must leave the running attempt alone: its live progress and log lines, the type's
 * metrics and the stale-outcome count. Found by the attack on "Correct under stress".
 */

import assert from "node:assert/strict";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { Queue } from "../../queue/queue.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";

const registry = await HandlerRegistry.load([]);

const drivers: [string, () => Store][] = [
  ["MemoryStore", () => new MemoryStore()],
  ["SqliteStore", () => SqliteStore.open(`${Deno.makeTempDirSync()}/jobs.db`)],
];

for (const [name, open] of drivers) {
  Deno.test(`${name}: a rescue refused because the lease was renewed keeps the attempt's live logs and progress`, async () => {
    let now = 1_000_000;
    const store = open();
    const queue = new Queue({
      store,
      registry,
      events: new JobEvents(),
      leaseMs: 1_000,
      now: () => now,
      random: () => 1,
    });
    try {
      await queue.open();
      await queue.enqueue([{ type: "noop", payload: {} }]);
      const [job] = await queue.claim(1, "w1");
      queue.log(job.id, 1, "written before the near-miss rescue", job.leaseToken);
      queue.progress(job.id, 40, job.leaseToken);

      // The lease ran out (the main thread stalled past it); the rescuer looks, and the late
      // renewal lands before the rescuer's write, so the store refuses the rescue.
      now += 2_000;
      const rescue = queue.maintenance.rescuer.runOnce();
      const renewed = await queue.renewLeases([job]);
      assert.deepEqual(renewed, [job.id], "the renewal is the write that won");
      assert.equal(await rescue, 0, "the store refused the rescue");

      // The attempt is still current and still running: what it reported so far must be there.
      const live = (await queue.get(job.id))!;
      assert.equal(live.status, "in-progress");
      assert.deepEqual(
        live.logs.map((line) => line.message),
        ["written before the near-miss rescue"],
        "the running attempt's log lines survive a refused rescue",
      );
      assert.equal(live.progress, 40, "the running attempt's progress survives a refused rescue");

      await queue.finish([{ job, outcome: "completed", result: 1 }]);
      const done = (await queue.get(job.id))!;
      assert.equal(done.status, "completed");
      assert.deepEqual(done.logs.map((line) => line.message), [
        "written before the near-miss rescue",
      ]);
      const stats = await queue.stats();
      assert.equal(stats.staleOutcomes, 0, "no attempt's outcome was refused: none was stale");
      assert.equal(stats.types.noop.samples, 1, "one attempt ran, and it completed");
      assert.equal(stats.types.noop.failureRate, 0);
    } finally {
      await queue.close();
      await store.close();
    }
  });
}
