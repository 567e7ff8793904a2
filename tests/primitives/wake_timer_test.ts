import assert from "node:assert/strict";
import { WakeTimer } from "../../queue/primitives/wake_timer.ts";
import { within } from "../support/wait.ts";

const T = 1_700_000_000_000;
const fixedClock = () => T;
const HOUR = 3_600_000;

/**
 * Resolves after every 0 ms timer set before this call has fired: timers with the same delay
 * fire in the order they were set, so this is a signal, not a guess.
 */
function afterPendingZeroTimers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A task that records each `now` it gets and answers from `replies` (then undefined). */
function recorder(replies: (number | undefined)[] = []) {
  const calls: number[] = [];
  let notify = () => {};
  return {
    calls,
    task: (now: number) => {
      calls.push(now);
      notify();
      return Promise.resolve(replies.shift());
    },
    /** Resolves once the task has been called `count` times in all. */
    called(count: number): Promise<void> {
      if (calls.length >= count) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      notify = () => {
        if (calls.length >= count) resolve();
      };
      return promise;
    },
  };
}

Deno.test("WakeTimer.wakeAt() calls its task with the current time when due", async () => {
  const promote = recorder();
  const timer = new WakeTimer(promote.task, fixedClock);
  try {
    timer.wakeAt(T);
    assert.equal(promote.calls.length, 0, "the call happens on a timer, not synchronously");
    await within(promote.called(1), "the task");
    assert.deepEqual(promote.calls, [T]);
  } finally {
    timer.stop();
  }
});

Deno.test("WakeTimer.wakeAt() re-arms for an earlier time", async () => {
  const promote = recorder();
  const timer = new WakeTimer(promote.task, fixedClock);
  try {
    timer.wakeAt(T + HOUR);
    timer.wakeAt(T);
    await within(promote.called(1), "the earlier wake-up");
    assert.deepEqual(promote.calls, [T]);
  } finally {
    timer.stop();
  }
});

Deno.test("WakeTimer.wakeAt() keeps the earlier timer when asked for a later time", async () => {
  const promote = recorder();
  const timer = new WakeTimer(promote.task, fixedClock);
  try {
    timer.wakeAt(T);
    timer.wakeAt(T + HOUR);
    await within(promote.called(1), "the earlier wake-up");
    await afterPendingZeroTimers();
    assert.equal(promote.calls.length, 1);
  } finally {
    timer.stop();
  }
});

Deno.test("WakeTimer.wakeAt() arms again for the next time its task returns", async () => {
  let now = T;
  const promote = recorder([T + 5, undefined]);
  const timer = new WakeTimer(promote.task, () => now);
  try {
    timer.wakeAt(T);
    await within(promote.called(1), "the first run");
    now = T + 5; // the clock reaches the returned runAt; the timer it armed is a few ms
    await within(promote.called(2), "the run at the returned runAt");
    assert.deepEqual(promote.calls, [T, T + 5]);
  } finally {
    timer.stop();
  }
});

Deno.test("WakeTimer.stop() cancels a pending wake-up and ignores later ones", async () => {
  const promote = recorder();
  const timer = new WakeTimer(promote.task, fixedClock);
  timer.wakeAt(T);
  timer.stop();
  timer.wakeAt(T - 1);
  await afterPendingZeroTimers();
  assert.deepEqual(promote.calls, []);
});

Deno.test("WakeTimer.stop() during a run keeps it from arming again", async () => {
  const gate = Promise.withResolvers<number | undefined>();
  const started = Promise.withResolvers<void>();
  let calls = 0;
  const timer = new WakeTimer(() => {
    calls++;
    started.resolve();
    return gate.promise;
  }, fixedClock);
  timer.wakeAt(T);
  await within(started.promise, "the task");
  timer.stop();
  gate.resolve(T); // the next runAt would be due at once, were the timer still running
  await afterPendingZeroTimers();
  await afterPendingZeroTimers();
  assert.equal(calls, 1);
});

Deno.test("WakeTimer runs its task one at a time, running again for a wake-up mid-run", async () => {
  const gate = Promise.withResolvers<number | undefined>();
  const started = Promise.withResolvers<void>();
  const second = Promise.withResolvers<void>();
  let running = 0;
  let most = 0;
  let calls = 0;
  const timer = new WakeTimer(async () => {
    calls++;
    running++;
    most = Math.max(most, running);
    if (calls === 1) {
      started.resolve();
      await gate.promise;
    } else {
      second.resolve();
    }
    running--;
    return undefined;
  }, fixedClock);
  try {
    timer.wakeAt(T);
    await within(started.promise, "the first run");
    timer.wakeAt(T); // fires while the first run is still in the task
    await afterPendingZeroTimers();
    assert.equal(calls, 1, "no second call while the first is running");
    gate.resolve(undefined);
    await within(second.promise, "the follow-up run");
    assert.equal(calls, 2);
    assert.equal(most, 1);
  } finally {
    timer.stop();
  }
});

Deno.test("WakeTimer calls onError when its task fails", async () => {
  const failure = new Error("store unavailable");
  const reported = Promise.withResolvers<unknown>();
  const timer = new WakeTimer(
    () => Promise.reject(failure),
    fixedClock,
    (error) => reported.resolve(error),
  );
  try {
    timer.wakeAt(T);
    assert.equal(await within(reported.promise, "onError"), failure);
  } finally {
    timer.stop(); // also cancels the retry armed after the failure
  }
});

Deno.test("WakeTimer retries a second after its task fails", async () => {
  // Each read of this clock moves it a second on, so the one-second retry is due at once.
  let now = T;
  const clock = () => (now += 1_000);
  const errors: unknown[] = [];
  let calls = 0;
  const retried = Promise.withResolvers<void>();
  const timer = new WakeTimer(
    () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error("first run fails"));
      retried.resolve();
      return Promise.resolve(undefined);
    },
    clock,
    (error) => errors.push(error),
  );
  try {
    timer.wakeAt(T);
    await within(retried.promise, "the retry");
    assert.equal(calls, 2);
    assert.equal(errors.length, 1);
  } finally {
    timer.stop();
  }
});
