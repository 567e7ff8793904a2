import assert from "node:assert/strict";
import { Ticker } from "../../queue/primitives/ticker.ts";

/** A task that parks each run until the test lets it end, recording the signal it got. */
function parkedTask() {
  let started = Promise.withResolvers<AbortSignal>();
  let finish = Promise.withResolvers<void>();
  return {
    task: (signal: AbortSignal) => {
      started.resolve(signal);
      return finish.promise;
    },
    /** Resolves with the signal of the run once it has started. */
    started: () => started.promise,
    /** Ends the run in progress; the next one parks again. */
    end() {
      finish.resolve();
      started = Promise.withResolvers<AbortSignal>();
      finish = Promise.withResolvers<void>();
    },
  };
}

Deno.test("Ticker.stop() waits for a run in progress and aborts its signal", async () => {
  const run = parkedTask();
  const ticker = new Ticker("test", 60_000, run.task);
  ticker.start();
  const running = ticker.runNow();
  const signal = await run.started();
  assert.equal(signal.aborted, false);
  let stopped = false;
  const stopping = ticker.stop().then(() => stopped = true);
  assert.equal(signal.aborted, true, "stop() tells the run to end early");
  // Every callback queued so far has run: stop() is still waiting for the run.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(stopped, false, "stop() resolved while the run was still going");
  run.end();
  await stopping;
  await running;
  assert.equal(stopped, true);
});

Deno.test("Ticker.stop() resolves at once when no run is in progress", async () => {
  const ticker = new Ticker("test", 60_000, () => Promise.resolve());
  ticker.start();
  await ticker.stop();
  await ticker.stop(); // twice is fine
});

Deno.test("Ticker.start() after stop() gives runs a fresh signal", async () => {
  const run = parkedTask();
  const ticker = new Ticker("test", 60_000, run.task);
  ticker.start();
  await ticker.stop();
  ticker.start();
  const running = ticker.runNow();
  assert.equal((await run.started()).aborted, false);
  run.end();
  await running;
  await ticker.stop();
});

Deno.test("Ticker reports a failing run to onError and runs again", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const ticker = new Ticker("test", 60_000, () => {
    calls++;
    return Promise.reject(new Error(`run ${calls}`));
  }, (error) => errors.push(error));
  await ticker.runNow();
  await ticker.runNow();
  assert.deepEqual(errors.map((error) => (error as Error).message), ["run 1", "run 2"]);
});

Deno.test("Ticker refuses an interval that is not a positive number of ms", () => {
  for (const interval of [0, -1, NaN, Infinity]) {
    assert.throws(
      () => new Ticker("test", interval, () => Promise.resolve()),
      (error) => error instanceof RangeError && error.message.includes(String(interval)),
    );
  }
});
