import assert from "node:assert/strict";
import type { AttemptReport } from "../../queue/attempts/settle.ts";
import type { Job } from "../../queue/job.ts";
import {
  OutcomeRecorder,
  type OutcomeSink,
  retryDelay,
} from "../../queue/pool/outcome_recorder.ts";
import type { Logger } from "../../queue/primitives/logger.ts";
import { StoreUnavailableError } from "../../queue/store/errors.ts";

const job = { id: "j1", type: "t", status: "in-progress" } as unknown as Job;
const report = { job, outcome: "completed", result: 1 } as unknown as AttemptReport;

/** A sink whose writes fail with `errors` in turn, then land; counts the tries. */
function failingSink(errors: Error[]): OutcomeSink & { tries: number; landed: number } {
  const sink = {
    tries: 0,
    landed: 0,
    write() {
      sink.tries++;
      const error = errors.shift();
      if (error) return Promise.reject(error);
      sink.landed++;
      return Promise.resolve();
    },
    finish: () => sink.write(),
    requeue: () => sink.write(),
  };
  return sink;
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const ignore = () => {};
  return {
    errors,
    error: (message: string) => errors.push(message),
    warn: ignore,
    info: ignore,
    debug: ignore,
  } as unknown as
    & Logger
    & { errors: string[] };
}

const unavailable = () => new StoreUnavailableError(new Error("connect ECONNREFUSED"));

Deno.test("OutcomeRecorder tries an outcome again while the database is unavailable, until it lands", async () => {
  const sink = failingSink([unavailable(), unavailable(), unavailable()]);
  const logger = recordingLogger();
  const recorder = new OutcomeRecorder(sink, { logger, retryForMs: 10_000 });
  recorder.report([report]);
  recorder.putBack([job]);
  await recorder.settled();
  assert.equal(sink.landed, 2);
  assert.equal(sink.tries, 5);
  assert.deepEqual(logger.errors, []);
});

Deno.test("OutcomeRecorder does not try again a write refused for another reason", async () => {
  const sink = failingSink([new Error("bad write")]);
  const logger = recordingLogger();
  const recorder = new OutcomeRecorder(sink, { logger, retryForMs: 10_000 });
  recorder.report([report]);
  await recorder.settled();
  assert.equal(sink.tries, 1);
  assert.equal(sink.landed, 0);
  assert.deepEqual(logger.errors, ["Worker pool failed to record job outcomes"]);
});

Deno.test("OutcomeRecorder gives an unavailable write up after retryForMs, and logs it", async () => {
  const sink = failingSink(Array.from({ length: 1_000 }, unavailable));
  const logger = recordingLogger();
  const recorder = new OutcomeRecorder(sink, { logger, retryForMs: 300 });
  const started = Date.now();
  recorder.report([report]);
  await recorder.settled();
  assert.ok(Date.now() - started >= 300, "tried for the whole window");
  assert.ok(sink.tries >= 3 && sink.tries < 20, `${sink.tries} tries: spaced, not a busy loop`);
  assert.equal(sink.landed, 0);
  assert.deepEqual(logger.errors, ["Worker pool failed to record job outcomes"]);
});

Deno.test("OutcomeRecorder.close() gives a waiting write one more try, then drops it", async () => {
  const sink = failingSink(Array.from({ length: 1_000 }, unavailable));
  const logger = recordingLogger();
  const recorder = new OutcomeRecorder(sink, { logger, retryForMs: 60_000 });
  recorder.report([report]);
  // Waits until the write is refused twice: it is then waiting to be tried again.
  while (sink.tries < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  const closing = Date.now();
  await recorder.close();
  assert.ok(Date.now() - closing < 1_000, "close does not wait out the retry window");
  assert.ok(sink.tries >= 3 && sink.tries <= 4, `${sink.tries} tries: one more at close`);
  assert.equal(sink.landed, 0);
  assert.deepEqual(logger.errors, ["Worker pool failed to record job outcomes"]);
});

Deno.test("retryDelay() starts at 50 ms and never exceeds a second", () => {
  assert.equal(retryDelay(0), 50);
  assert.equal(retryDelay(1), 100);
  assert.equal(retryDelay(10), 1_000);
});
