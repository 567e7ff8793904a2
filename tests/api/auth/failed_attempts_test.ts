import assert from "node:assert/strict";
import { FailedAttempts } from "../../../api/auth/failed_attempts.ts";

Deno.test("FailedAttempts refuses an address past its limit until the oldest failure leaves the window", () => {
  let now = 1_000_000;
  const failures = new FailedAttempts({ limit: 3, window: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(failures.retryAfter("a"), 0, `after ${i} failures`);
    failures.record("a");
    now += 10_000;
  }
  // Failures at 0, 10 and 20 s; now 30 s: the first leaves the window at 60 s.
  assert.equal(failures.retryAfter("a"), 30);
  assert.equal(failures.retryAfter("b"), 0, "another address is not refused");
  now += 30_000;
  assert.equal(failures.retryAfter("a"), 0);
  failures.record("a");
  assert.equal(failures.retryAfter("a"), 10, "the failures at 10 and 20 s and now");
});

Deno.test("FailedAttempts remembers at most maxAddresses, forgetting the least recent", () => {
  const failures = new FailedAttempts({ limit: 1, maxAddresses: 2 });
  failures.record("a");
  failures.record("b");
  failures.record("a");
  failures.record("c");
  assert.equal(failures.size, 2);
  assert.equal(failures.retryAfter("b"), 0, "b was forgotten");
  assert.ok(failures.retryAfter("a") > 0 && failures.retryAfter("c") > 0);
});

Deno.test("FailedAttempts refuses a limit or window it cannot use, naming it", () => {
  assert.throws(() => new FailedAttempts({ limit: 0 }), /limit must be/);
  assert.throws(() => new FailedAttempts({ window: 0 }), /window must be/);
});
