/**
 * How many jobs a worker is handed (`handOutRoom`): its free places, and as many waiting as its
 * pace allows up to its places, or an eighth of its pace up to `MIN_WAITING` if that is more;
 * topped up only once half of those waiting have started, or when a place would go idle.
 */

import assert from "node:assert/strict";
import { handOutRoom, MIN_WAITING } from "../../queue/pool/worker_queue.ts";

/** A worker as the pool sees it: `running` jobs started, `queued` handed and not started. */
function worker(running: number, queued: number) {
  return { running: { size: running }, queued: { size: queued }, held: running + queued };
}

Deno.test("hand-out room: an empty worker of few places and quick jobs gets its places and up to MIN_WAITING more", () => {
  assert.equal(MIN_WAITING, 16);
  assert.equal(handOutRoom(worker(0, 0), 4, 256), 4 + 16);
  assert.equal(handOutRoom(worker(0, 0), 1, 256), 1 + 16);
  // A pace of 96 lately: an eighth, 12, waiting.
  assert.equal(handOutRoom(worker(0, 0), 4, 96), 4 + 12);
  // A pace of 6: its places' worth, as a slower worker (a slow job holds back no more).
  assert.equal(handOutRoom(worker(0, 0), 4, 6), 4 + 4);
  assert.equal(handOutRoom(worker(0, 0), 1, 6), 1 + 1);
  // No pace (slow jobs): only what it can start at once.
  assert.equal(handOutRoom(worker(0, 0), 4, 0), 4);
});

Deno.test("hand-out room: a worker of many places may hold as many waiting as it has places", () => {
  assert.equal(handOutRoom(worker(0, 0), 25, 256), 25 + 25);
  assert.equal(handOutRoom(worker(25, 10), 25, 256), 50 - 35);
});

Deno.test("hand-out room: a busy worker is topped up only once half of those waiting have started", () => {
  // Places all taken, 9 of 16 still waiting: nothing yet (one message later hands more at once).
  assert.equal(handOutRoom(worker(4, 9), 4, 256), 0);
  // 8 of 16 waiting: filled up again.
  assert.equal(handOutRoom(worker(4, 8), 4, 256), 20 - 12);
  // The same worker, a place free but a waiting job to take it: nothing yet either.
  assert.equal(handOutRoom(worker(3, 9), 4, 256), 0);
});

Deno.test("hand-out room: a place that would go idle is filled at once, whatever waits", () => {
  // 3 places free, 2 waiting to take them: one would idle.
  assert.equal(handOutRoom(worker(1, 2), 4, 256), 20 - 3);
  // Pace 4: 4 waiting at most, 3 waiting is more than half, but a place is free with none for it.
  assert.equal(handOutRoom(worker(0, 3), 4, 4), 8 - 3);
});
