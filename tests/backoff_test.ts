import assert from "node:assert/strict";
import {
  backoffDelay,
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  validateBackoff,
} from "../queue/backoff.ts";

const policy: BackoffPolicy = { base: 1_000, factor: 2, cap: 60_000 };
const lowest = () => 0;
const highest = () => 1 - Number.EPSILON;

Deno.test("backoffDelay() returns 0 when random() returns 0", () => {
  for (let attempt = 1; attempt <= 10; attempt++) {
    assert.equal(backoffDelay(policy, attempt, lowest), 0);
  }
});

Deno.test("backoffDelay() reaches the ceiling when random() is just below 1", () => {
  assert.equal(backoffDelay(policy, 1, highest), 1_000);
  assert.equal(backoffDelay(policy, 3, highest), 4_000);
});

Deno.test("backoffDelay() grows the ceiling by factor each attempt", () => {
  const ceilings = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(policy, attempt, highest));
  assert.deepEqual(ceilings, [1_000, 2_000, 4_000, 8_000, 16_000]);
  const tripling = { base: 10, factor: 3, cap: 1e9 };
  assert.deepEqual([1, 2, 3].map((a) => backoffDelay(tripling, a, highest)), [10, 30, 90]);
});

Deno.test("backoffDelay() never goes past the cap", () => {
  assert.equal(backoffDelay(policy, 7, highest), 60_000); // 64,000 capped
  assert.equal(backoffDelay(policy, 50, highest), 60_000);
  assert.equal(
    backoffDelay(policy, 2_000, highest),
    60_000,
    "factor ** 1999 overflows to Infinity",
  );
});

Deno.test("backoffDelay() scales the ceiling by random() (full jitter)", () => {
  assert.equal(backoffDelay(policy, 3, () => 0.5), 2_000);
  assert.equal(backoffDelay(policy, 3, () => 0.25), 1_000);
});

Deno.test("backoffDelay() stays within [0, ceiling] with Math.random", () => {
  for (let i = 0; i < 1_000; i++) {
    const attempt = 1 + (i % 10);
    const ms = backoffDelay(policy, attempt);
    const ceiling = Math.min(policy.cap, policy.base * policy.factor ** (attempt - 1));
    assert.ok(Number.isInteger(ms) && ms >= 0 && ms <= ceiling, `${ms} for attempt ${attempt}`);
  }
});

Deno.test("backoffDelay() rejects an attempt that is not a positive integer", () => {
  for (const attempt of [0, -1, 1.5, NaN]) {
    assert.throws(() => backoffDelay(policy, attempt, lowest), RangeError, `attempt ${attempt}`);
  }
  assert.throws(
    () => backoffDelay(policy, 0),
    /attempt must be a positive integer, received 0/,
  );
});

Deno.test("validateBackoff() accepts the defaults and zero delays", () => {
  validateBackoff(DEFAULT_BACKOFF);
  validateBackoff({ base: 0, factor: 1, cap: 0 });
});

Deno.test("validateBackoff() names the first bad field", () => {
  const cases: [Partial<BackoffPolicy>, RegExp][] = [
    [{ base: -1 }, /backoff\.base must be a non-negative number, received -1/],
    [{ base: NaN }, /backoff\.base/],
    [{ factor: Infinity }, /backoff\.factor must be a non-negative number/],
    [{ cap: -5 }, /backoff\.cap must be a non-negative number, received -5/],
    [{ factor: 0.5 }, /backoff\.factor must be at least 1, received 0\.5/],
  ];
  for (const [override, message] of cases) {
    assert.throws(
      () => validateBackoff({ ...DEFAULT_BACKOFF, ...override }),
      (error) => error instanceof RangeError && message.test(error.message),
      JSON.stringify(override),
    );
  }
});
