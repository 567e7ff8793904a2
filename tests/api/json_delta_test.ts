/**
 * diffJson() and applyJsonDelta(): the live feed's stats deltas. Besides examples, property
 * tests: along a random run of stats snapshots (and of arbitrary JSON values), applying each
 * delta to what came before gives exactly what comes next.
 */

import assert from "node:assert/strict";
import { applyJsonDelta, diffJson, type JsonDelta, sameJson } from "../../api/json_delta.ts";
import { random, statsRun } from "../support/random_stats.ts";

/** Applies `diffJson(previous, next)` to a JSON copy of `previous`, as a client receives both. */
function roundTrip(previous: unknown, next: unknown): { delta: JsonDelta; result: unknown } {
  const delta = JSON.parse(JSON.stringify(diffJson(previous, next)));
  const base = JSON.parse(JSON.stringify(previous));
  const frozen = JSON.stringify(base);
  const result = applyJsonDelta(base, delta);
  assert.equal(JSON.stringify(base), frozen, "the value applied to is left as it was");
  return { delta, result };
}

Deno.test("diffJson() of equal values is empty", () => {
  const stats = { byStatus: { queued: 0 }, series: [0, 0, 0], types: {} };
  assert.deepEqual(diffJson(stats, structuredClone(stats)), {});
});

Deno.test("diffJson() names changed members, added and removed ones by JSON Pointer", () => {
  const kept = { samples: 1000, meanMs: 12.5, p95Ms: 40, failureRate: 0.25 };
  const delta = diffJson(
    { byStatus: { queued: 1, completed: 5 }, types: { email: { n: 1 }, "a/b~": kept } },
    { byStatus: { queued: 1, completed: 6 }, types: { "a/b~": kept, sms: { n: 3 } } },
  );
  assert.deepEqual(delta, {
    set: { "/byStatus/completed": 6, "/types/sms": { n: 3 } },
    remove: ["/types/email"],
  });
});

Deno.test("diffJson() slides a series that moved on: the new points, not the whole array", () => {
  const previous = Array.from({ length: 300 }, (_, i) => i % 7);
  // One second later: the oldest point gone, the partial last second grew, a new one started.
  const next = [...previous.slice(1, 299), previous[299] + 4, 2];
  const delta = diffJson({ series: previous }, { series: next });
  assert.deepEqual(delta, {
    slide: { "/series": { drop: 1, keep: 298, append: [previous[299] + 4, 2] } },
  });
  assert.deepEqual(applyJsonDelta({ series: previous }, delta), { series: next });
});

Deno.test("diffJson() replaces an object whole when that is shorter than its changes", () => {
  const delta = diffJson(
    { types: { email: { samples: 1, meanMs: 2, p95Ms: 2, failureRate: 0 } } },
    { types: { email: { samples: 2, meanMs: 3, p95Ms: 4, failureRate: 0.5 } } },
  );
  assert.deepEqual(delta, {
    set: { "/types/email": { samples: 2, meanMs: 3, p95Ms: 4, failureRate: 0.5 } },
  });
});

Deno.test("applyJsonDelta() shares what did not change and keeps members named like builtins", () => {
  const before = { a: { x: 1 }, b: { y: 1 } };
  const after = applyJsonDelta(before, { set: { "/b/y": 2, "/__proto__": 1, "/constructor": 2 } });
  assert.equal(after.a, before.a);
  assert.deepEqual(before, { a: { x: 1 }, b: { y: 1 } });
  assert.deepEqual(Object.keys(after), ["a", "b", "__proto__", "constructor"]);
  assert.equal(Object.getPrototypeOf(after), Object.prototype);
});

Deno.test("applyJsonDelta() refuses a delta that does not fit, naming the path", () => {
  const stats = { series: [1, 2], counts: { a: 1 } };
  const cases: [JsonDelta, RegExp][] = [
    [{ slide: { "/series": { drop: 1, keep: 2, append: [] } } }, /\/series: drop 1 and keep 2/],
    [{ slide: { "/counts": { drop: 0, keep: 0, append: [] } } }, /\/counts: it is not an array/],
    [{ remove: ["/counts/b"] }, /remove \/counts\/b: there is nothing there/],
    [{ set: { "/missing/x": 1 } }, /\/missing\/x: it has no member missing/],
    [{ set: { "/series/0/x": 1 } }, /\/series\/0\/x: \/series is not an object/],
    [{ set: { "counts": 1 } }, /Invalid path "counts"/],
    [{ remove: [""] }, /Cannot remove the whole value/],
  ];
  for (const [delta, message] of cases) {
    assert.throws(() => applyJsonDelta(stats, delta), message);
  }
  assert.deepEqual(stats, { series: [1, 2], counts: { a: 1 } });
});

Deno.test("applyJsonDelta(diffJson()) follows a random run of stats snapshots exactly", () => {
  const seed = Date.now();
  const snapshot = statsRun(random(seed));
  let held = snapshot();
  let slides = 0;
  for (let step = 0; step < 500; step++) {
    const next = snapshot();
    const { delta, result } = roundTrip(held, next);
    assert.deepEqual(result, next, `seed ${seed}, step ${step}: ${JSON.stringify(delta)}`);
    assert.ok(sameJson(result, next));
    if (delta.slide) slides++;
    held = result;
  }
  assert.ok(slides > 100, `the run slid its series (${slides} times; seed ${seed})`);
});

/** An arbitrary JSON value, and a random edit of one: each kind may become another. */
function jsonValues(next: () => number) {
  const int = (n: number) => Math.floor(next() * n);
  const value = (depth: number): unknown => {
    switch (depth > 3 ? int(4) : int(7)) {
      case 0:
        return int(5);
      case 1:
        return ["a", "b", "", "~/"][int(4)];
      case 2:
        return [null, true, false][int(3)];
      case 3:
        return next();
      case 4:
      case 5:
        return Object.fromEntries(
          Array.from({ length: int(5) }, () => [["k", "~1", "m/n", "~"][int(4)], value(depth + 1)]),
        );
      default:
        return Array.from({ length: int(6) }, () => value(depth + 1));
    }
  };
  const edit = (current: unknown, depth: number): unknown => {
    if (int(6) === 0) return value(depth);
    if (Array.isArray(current)) {
      const items = current.map((item) => int(3) === 0 ? edit(item, depth + 1) : item);
      return [...items.slice(int(3)), ...Array.from({ length: int(3) }, () => value(depth + 1))];
    }
    if (typeof current === "object" && current !== null) {
      const entries = Object.entries(current).filter(() => int(5) !== 0)
        .map(([k, v]) => [k, int(2) === 0 ? edit(v, depth + 1) : v]);
      if (int(3) === 0) entries.push([["k", "x", "y/z"][int(3)], value(depth + 1)]);
      return Object.fromEntries(entries);
    }
    return value(depth);
  };
  return { value, edit };
}

Deno.test("applyJsonDelta(diffJson()) turns any JSON value into any other", () => {
  const seed = Date.now();
  const { value, edit } = jsonValues(random(seed));
  for (let run = 0; run < 200; run++) {
    let held = value(0);
    for (let step = 0; step < 10; step++) {
      const next = JSON.parse(JSON.stringify(edit(held, 0)) ?? "null");
      const { delta, result } = roundTrip(held, next);
      assert.deepEqual(result, next, `seed ${seed}, run ${run}: ${JSON.stringify(delta)}`);
      held = result;
    }
  }
});
