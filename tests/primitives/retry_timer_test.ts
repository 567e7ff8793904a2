import assert from "node:assert/strict";
import { RetryTimer } from "../../queue/primitives/retry_timer.ts";
import { deadline } from "../support/wait.ts";

/** A RetryTimer whose task signals each run; `ran()` resolves at the next one. */
function counted(options: { first: number; max: number }) {
  let runs = 0;
  let next = Promise.withResolvers<void>();
  const retry = new RetryTimer(() => {
    runs++;
    next.resolve();
    next = Promise.withResolvers<void>();
  }, options);
  const ran = () => deadline(next.promise, { timeout: 2_000, message: "the retry to run" });
  return { retry, ran, runs: () => runs };
}

Deno.test("RetryTimer.schedule() runs the task and doubles the wait after each failure, to max", async () => {
  const { retry, ran, runs } = counted({ first: 1, max: 8 });
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    const run = ran();
    waits.push(retry.schedule());
    await run;
  }
  assert.deepEqual(waits, [1, 2, 4, 8, 8]);
  assert.equal(runs(), 5);
  retry.stop();
});

Deno.test("RetryTimer.schedule() keeps a pending retry as it is", () => {
  const { retry, runs } = counted({ first: 1_000, max: 5_000 });
  assert.equal(retry.schedule(), 1_000);
  assert.equal(retry.pending, true);
  assert.equal(retry.schedule(), 0, "already pending: nothing armed");
  retry.stop();
  assert.equal(retry.pending, false);
  assert.equal(runs(), 0);
});

Deno.test("RetryTimer.succeeded() cancels a pending retry and starts the waits over", async () => {
  const { retry, ran } = counted({ first: 1, max: 100 });
  const first = ran();
  retry.schedule();
  await first;
  assert.equal(retry.schedule(), 2);
  retry.succeeded();
  assert.equal(retry.pending, false);
  assert.equal(retry.schedule(), 1);
  retry.stop();
});

Deno.test("RetryTimer.stop() ignores later failures", () => {
  const { retry } = counted({ first: 1, max: 100 });
  retry.stop();
  assert.equal(retry.schedule(), 0);
  assert.equal(retry.pending, false);
});

Deno.test("RetryTimer rejects a wait that is not positive, or a max under first", () => {
  assert.throws(() => new RetryTimer(() => {}, { first: 0 }), /first must be a positive number/);
  assert.throws(() => new RetryTimer(() => {}, { max: -1 }), /max must be a positive number/);
  assert.throws(
    () => new RetryTimer(() => {}, { first: 200, max: 100 }),
    /max must be at least first \(200\), received 100/,
  );
});
