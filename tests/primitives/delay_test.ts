import assert from "node:assert/strict";
import { delay } from "../../queue/primitives/delay.ts";

Deno.test("delay() resolves after the timer fires", async () => {
  let settled = false;
  const waiting = delay(1).then(() => (settled = true));
  assert.equal(settled, false, "must not resolve synchronously");
  await waiting;
  assert.equal(settled, true);
});

Deno.test("delay() resolves with a zero delay", async () => {
  assert.equal(await delay(0), undefined);
});

Deno.test("delay() rejects with the signal's reason when aborted", async () => {
  const controller = new AbortController();
  // Long enough that only the abort can settle it; the abort clears the timer.
  const waiting = delay(60_000, { signal: controller.signal });
  const reason = new Error("stop waiting");
  controller.abort(reason);
  await assert.rejects(waiting, (error) => error === reason);
});

Deno.test("delay() rejects with an AbortError when aborted without a reason", async () => {
  const controller = new AbortController();
  const waiting = delay(60_000, { signal: controller.signal });
  controller.abort();
  await assert.rejects(
    waiting,
    (error) => error instanceof DOMException && error.name === "AbortError",
  );
});

Deno.test("delay() rejects at once when the signal is already aborted", async () => {
  const reason = new Error("too late");
  await assert.rejects(delay(60_000, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
});

Deno.test("delay() resolves and stops listening when the signal never aborts", async () => {
  const controller = new AbortController();
  await delay(1, { signal: controller.signal });
  // Aborting afterwards must be harmless: no late rejection, no throw.
  controller.abort(new Error("after the fact"));
  assert.equal(controller.signal.aborted, true);
});

Deno.test("delay() rejects a negative, non-finite or overflowing ms with RangeError", () => {
  for (const ms of [-1, NaN, Infinity, 2 ** 31]) {
    assert.throws(() => delay(ms), RangeError, `ms ${ms}`);
  }
  assert.throws(() => delay(-5), /ms must be a number from 0 to 2147483647, received -5/);
});
