/**
 * The dashboard's copy of the stats: snapshots replace it, deltas apply only to the stats they
 * were made from, and a missed message is reported rather than applied.
 */

import assert from "node:assert/strict";
import { diffJson } from "../../api/json_delta.ts";
import type { FeedStats as Stats } from "../../api/live_feed.ts";
import { StatsReplica } from "../../ui/app/stats_replica.ts";

const FIRST = {
  byStatus: { queued: 1, completed: 0 },
  throughput: { series: { completed: [0, 0, 0] } },
} as unknown as Stats;
const SECOND = {
  byStatus: { queued: 0, completed: 1 },
  throughput: { series: { completed: [0, 0, 1] } },
} as unknown as Stats;
const THIRD = {
  byStatus: { queued: 0, completed: 3 },
  throughput: { series: { completed: [0, 1, 2] } },
} as unknown as Stats;

Deno.test("StatsReplica.delta() applies a delta made from the stats it holds", () => {
  const replica = new StatsReplica();
  replica.snapshot(4, FIRST);
  assert.deepEqual(replica.delta(6, { base: 4, ...diffJson(FIRST, SECOND) }), SECOND);
  assert.deepEqual(replica.delta(9, { base: 6, ...diffJson(SECOND, THIRD) }), THIRD);
  assert.deepEqual(replica.stats, THIRD);
  assert.deepEqual(FIRST.byStatus, { queued: 1, completed: 0 }, "the snapshot is not changed");
});

Deno.test("StatsReplica.delta() refuses a delta after a missed message, until a snapshot", () => {
  const replica = new StatsReplica();
  assert.equal(replica.delta(2, { base: 1 }), undefined, "no snapshot yet");
  replica.snapshot(4, FIRST);
  // Message 6 (FIRST → SECOND) was missed: 9 is made from SECOND.
  assert.equal(replica.delta(9, { base: 6, ...diffJson(SECOND, THIRD) }), undefined);
  assert.deepEqual(replica.stats, FIRST, "the stats held stay as they were");
  // Not even the delta that would have followed 4 is taken now: only a snapshot resyncs.
  assert.equal(replica.delta(6, { base: 4, ...diffJson(FIRST, SECOND) }), undefined);
  replica.snapshot(12, THIRD);
  assert.deepEqual(replica.delta(13, { base: 12, ...diffJson(THIRD, SECOND) }), SECOND);
});

Deno.test("StatsReplica.delta() refuses a delta that does not fit the stats held", () => {
  const replica = new StatsReplica();
  replica.snapshot(4, FIRST);
  const slide = { drop: 5, keep: 1, append: [] };
  assert.equal(
    replica.delta(5, { base: 4, slide: { "/throughput/series/completed": slide } }),
    undefined,
  );
  assert.deepEqual(replica.stats, FIRST);
  assert.equal(replica.delta(6, { base: 5 }), undefined, "nothing is taken until a snapshot");
});

Deno.test("StatsReplica.reset() takes no delta until the next snapshot", () => {
  const replica = new StatsReplica();
  replica.snapshot(4, FIRST);
  replica.reset();
  assert.equal(replica.delta(6, { base: 4, ...diffJson(FIRST, SECOND) }), undefined);
  assert.deepEqual(replica.stats, FIRST, "still shown meanwhile");
});
