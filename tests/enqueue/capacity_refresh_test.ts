/**
 * Capacity in a cluster: `rebase` sets the room used from a count of the stored jobs plus what
 * that count may miss of this node's own (inserts in flight, reservations since), and
 * `CapacityRefresh` counts and rebases, a failing count leaving the room as it was.
 */

import assert from "node:assert/strict";
import { Capacity } from "../../queue/enqueue/capacity.ts";
import { CapacityRefresh } from "../../queue/enqueue/capacity_refresh.ts";
import { createLogger } from "../../queue/primitives/logger.ts";
import { QueueFullError } from "../../queue/errors.ts";

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

/** Counts that say `stored` and record how often they were asked for. */
function fakeCounts(capacity: Capacity, stored: number, margin: number) {
  const counts = {
    asked: 0,
    margin: () => margin,
    fresh: () => {
      counts.asked++;
      capacity.rebase(stored, capacity.mark());
      return Promise.resolve();
    },
  };
  capacity.countNearLimit(counts);
  return counts;
}

Deno.test("Capacity.reserve() near the limit counts first: room other nodes took since is refused", async () => {
  const capacity = new Capacity({ limit: 10, enqueueWait: 0 });
  capacity.occupy(8); // the last count: 8, but other nodes stored 2 more since
  const counts = fakeCounts(capacity, 10, 3);
  await assert.rejects(capacity.reserve(1), QueueFullError);
  assert.equal(counts.asked, 1);
  assert.deepEqual(capacity.usage(), { limit: 10, used: 10, waiting: 0 });
});

Deno.test("Capacity.reserve() far from the limit takes room without counting", async () => {
  const capacity = new Capacity({ limit: 100, enqueueWait: 0 });
  const counts = fakeCounts(capacity, 0, 10);
  await capacity.reserve(90);
  assert.equal(counts.asked, 0);
  await capacity.reserve(1);
  assert.equal(counts.asked, 1, "within the margin");
});

Deno.test("CapacityRefresh.fresh() counts after it was asked; those asking while a count runs share the next", async () => {
  const capacity = new Capacity({ limit: 100 });
  const pending: PromiseWithResolvers<number>[] = [];
  const refresh = new CapacityRefresh({
    capacity,
    countUnfinished: () => {
      pending.push(Promise.withResolvers<number>());
      return pending.at(-1)!.promise;
    },
  });
  const first = refresh.fresh();
  let sharedDone = 0;
  const shared = [refresh.fresh(), refresh.fresh(), refresh.fresh()].map((count) =>
    count.then(() => sharedDone++)
  );
  assert.equal(pending.length, 1);
  pending[0].resolve(40);
  await first;
  assert.equal(capacity.usage().used, 40);
  await Promise.resolve();
  assert.equal(sharedDone, 0, "the count that ran when they asked may miss what came before");
  assert.equal(pending.length, 2, "one more count, for all three");
  pending[1].resolve(60);
  await Promise.all(shared);
  assert.equal(capacity.usage().used, 60);
  assert.equal(pending.length, 2);
  await refresh.stop();
});

Deno.test("CapacityRefresh.margin() is a tenth of the capacity, or what this node reserved since the last count", async () => {
  const capacity = new Capacity({ limit: 100 });
  const refresh = new CapacityRefresh({ capacity, countUnfinished: () => Promise.resolve(30) });
  assert.equal(refresh.margin(), 10);
  await capacity.reserve(30);
  assert.equal(refresh.margin(), 30, "in a burst the other nodes may have stored as much, unseen");
  await refresh.runOnce();
  assert.equal(refresh.margin(), 10);
});
