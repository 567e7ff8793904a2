/**
 * Capacity in a cluster: `rebase` sets the room used from a count of the stored jobs plus what
 * that count may miss of this node's own (inserts in flight, reservations since), and
 * `CapacityRefresh` counts and rebases, a failing count leaving the room as it was.
 */

import assert from "node:assert/strict";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { CapacityRefresh } from "../../queue/enqueue/capacity_refresh.ts";
import { createLogger } from "../../queue/primitives/logger.ts";

Deno.test("Capacity.rebase() counts the stored jobs and this node's reservations since the mark", async () => {
  const capacity = new Capacity({ limit: 20 });
  await capacity.reserve(3);
  capacity.stored(3);
  const mark = capacity.mark();
  // Other nodes stored 5 more: the count says 8, this node's 3 among them.
  await capacity.reserve(2); // after the mark: maybe not in the count, counted on top
  capacity.rebase(8, mark);
  assert.equal(capacity.usage().used, 10);
  capacity.stored(2);
  capacity.rebase(10, capacity.mark());
  assert.equal(capacity.usage().used, 10);
});

Deno.test("Capacity.rebase() counts inserts in flight at the mark, which the count may miss", async () => {
  const capacity = new Capacity({ limit: 20 });
  await capacity.reserve(4); // not stored yet
  const mark = capacity.mark();
  capacity.rebase(6, mark);
  assert.equal(capacity.usage().used, 10);
  capacity.unreserve(4); // the insert failed
  assert.equal(capacity.usage().used, 6);
  capacity.rebase(6, capacity.mark());
  assert.equal(capacity.usage().used, 6);
});

Deno.test("Capacity.rebase() on a lower count frees room for the enqueues waiting", async () => {
  const capacity = new Capacity({ limit: 5, enqueueWait: 60_000 });
  capacity.occupy(5);
  const waiting = capacity.reserve(2);
  assert.equal(capacity.usage().waiting, 1);
  capacity.rebase(3, capacity.mark()); // other nodes finished two jobs
  await waiting;
  assert.deepEqual(capacity.usage(), { limit: 5, used: 5, waiting: 0 });
});

Deno.test("Capacity.rebase() on a higher count fills the room, past the limit if need be", () => {
  const capacity = new Capacity({ limit: 5, enqueueWait: 0 });
  capacity.rebase(7, capacity.mark());
  assert.equal(capacity.usage().used, 7);
  assert.equal(capacity.hasRoom(), false);
  capacity.rebase(4, capacity.mark());
  assert.equal(capacity.hasRoom(), true);
});

Deno.test("CapacityRefresh.runOnce() rebases on the count; a failing count changes nothing and warns once", async () => {
  const capacity = new Capacity({ limit: 10 });
  const warnings: string[] = [];
  const logger = createLogger({ sink: (record) => void warnings.push(record.msg) });
  let count: number | Error = 6;
  const refresh = new CapacityRefresh({
    capacity,
    countUnfinished: () => count instanceof Error ? Promise.reject(count) : Promise.resolve(count),
    logger,
  });
  await refresh.runOnce();
  assert.equal(capacity.usage().used, 6);
  count = new Error("connection lost");
  await capacity.reserve(1);
  await refresh.runOnce();
  await refresh.runOnce();
  assert.equal(capacity.usage().used, 7);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Could not count the cluster's unfinished jobs/);
  count = 2;
  await refresh.runOnce();
  assert.equal(capacity.usage().used, 3, "the reservation after the mark is still counted");
});
