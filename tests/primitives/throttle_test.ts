import assert from "node:assert/strict";
import { throttle } from "../../queue/primitives/throttle.ts";

/** Short, so the trailing calls come quickly; the tests rely on the order of timers, not on it. */
const INTERVAL = 20;

/** A function that counts its calls, and lets a test wait for the n-th (failing, not hanging). */
function counted() {
  let calls = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    fn(): void {
      calls++;
      for (const waiter of waiters.filter((waiter) => waiter.n <= calls)) waiter.resolve();
    },
    get calls(): number {
      return calls;
    },
    async reached(n: number, timeout = 5_000): Promise<void> {
      if (calls >= n) return;
      const { promise, resolve } = Promise.withResolvers<void>();
      waiters.push({ n, resolve });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`call ${n} never came (${calls} so far)`)),
          timeout,
        );
      });
      try {
        await Promise.race([promise, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

Deno.test("throttle() calls at once when idle", () => {
  const target = counted();
  const throttled = throttle(target.fn, INTERVAL);
  throttled();
  assert.equal(target.calls, 1);
  throttled.cancel();
});

/**
 * Resolves once every call a throttle of `INTERVAL` scheduled before now has had its turn: a
 * second throttle's trailing call, scheduled after them, comes no sooner than any of them.
 */
async function pendingCallsDone(): Promise<void> {
  const probe = counted();
  const later = throttle(probe.fn, INTERVAL);
  later();
  later();
  await probe.reached(2);
}

Deno.test("throttle() turns a burst into one call now and one at the end of the interval", async () => {
  const target = counted();
  const throttled = throttle(target.fn, INTERVAL);
  throttled();
  throttled();
  throttled();
  assert.equal(target.calls, 1, "the calls after the first wait for the interval");
  await target.reached(2);
  await pendingCallsDone();
  assert.equal(target.calls, 2, "one trailing call for the whole burst");
});

Deno.test("throttle().cancel() drops the pending call", async () => {
  const target = counted();
  const throttled = throttle(target.fn, INTERVAL);
  throttled();
  throttled();
  throttled.cancel();
  await pendingCallsDone();
  assert.equal(target.calls, 1);
});

Deno.test("throttle() after cancel() still delivers the next call", async () => {
  const target = counted();
  const throttled = throttle(target.fn, INTERVAL);
  throttled();
  throttled();
  throttled.cancel();
  throttled();
  await target.reached(2);
  assert.equal(target.calls, 2);
});
