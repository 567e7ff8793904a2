import assert from "node:assert/strict";
import { ThroughputMeter } from "../../queue/primitives/throughput_meter.ts";

/** A clock the test moves by hand, in epoch milliseconds. */
function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

Deno.test("ThroughputMeter constructor rejects a window that is not a positive integer", () => {
  for (const seconds of [0, -1, 1.5, NaN]) {
    assert.throws(() => new ThroughputMeter(seconds), RangeError, `${seconds}`);
  }
});

Deno.test("ThroughputMeter.perSecond() is zero before anything is recorded", () => {
  const clock = fakeClock();
  const meter = new ThroughputMeter(60, clock.now);
  assert.equal(meter.perSecond(), 0);
  clock.advance(10_000);
  assert.equal(meter.perSecond(), 0);
});

Deno.test("ThroughputMeter.perSecond() counts the first second as one second", () => {
  const clock = fakeClock();
  const meter = new ThroughputMeter(60, clock.now);
  meter.record(3);
  meter.record();
  assert.equal(meter.perSecond(), 4);
});

Deno.test("ThroughputMeter.perSecond() averages over the seconds elapsed since start", () => {
  const clock = fakeClock();
  const meter = new ThroughputMeter(60, clock.now);
  meter.record(6);
  clock.advance(1_000);
  meter.record(2);
  clock.advance(2_000);
  // 8 events over 4 seconds (the starting second, and three more).
  assert.equal(meter.perSecond(), 2);
});

Deno.test("ThroughputMeter.perSecond() divides by at most the window", () => {
  const clock = fakeClock();
  const meter = new ThroughputMeter(10, clock.now);
  clock.advance(100_000);
  meter.record(20);
  assert.equal(meter.perSecond(), 2);
});

Deno.test("ThroughputMeter.perSecond() drops events once they leave the window", () => {
  const clock = fakeClock();
  const meter = new ThroughputMeter(5, clock.now);
  meter.record(10);
  clock.advance(4_000);
  assert.equal(meter.perSecond(), 2, "still inside the 5-second window");
  clock.advance(1_000);
  assert.equal(meter.perSecond(), 0, "five seconds later the first second has left the window");
});

Deno.test("ThroughputMeter.record() reuses a bucket without keeping its old count", () => {
  const clock = fakeClock();
  const meter = new ThroughputMeter(5, clock.now);
  meter.record(100);
  clock.advance(5_000); // the same bucket index, five seconds on
  meter.record(5);
  assert.equal(meter.perSecond(), 1);
});

Deno.test("ThroughputMeter.perSecond() sums the seconds still inside a sliding window", () => {
  const clock = fakeClock();
  const meter = new ThroughputMeter(3, clock.now);
  meter.record(3);
  for (const count of [6, 9, 12]) {
    clock.advance(1_000);
    meter.record(count);
  }
  // The window holds the last three seconds: (6 + 9 + 12) / 3.
  assert.equal(meter.perSecond(), 9);
});

Deno.test("ThroughputMeter.series() lists each second's count, the current one last", () => {
  let now = 1_000_000;
  const meter = new ThroughputMeter(10, () => now);
  meter.record(2);
  now += 1000;
  meter.record(5);
  now += 1000;
  meter.record(1);
  assert.deepEqual(meter.series(4), [0, 2, 5, 1]);
  now += 20_000; // all of it has left the window
  assert.deepEqual(meter.series(3), [0, 0, 0]);
  assert.equal(meter.series(50).length, 10, "at most the window");
});
