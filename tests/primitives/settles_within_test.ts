import assert from "node:assert/strict";
import { settlesWithin } from "../../queue/primitives/settles_within.ts";

Deno.test("settlesWithin() resolves true when the promise fulfils first", async () => {
  assert.equal(await settlesWithin(Promise.resolve("done"), 60_000), true);
});

Deno.test("settlesWithin() resolves false when the time runs out first", async () => {
  const never = new Promise<void>(() => {});
  assert.equal(await settlesWithin(never, 1), false);
});

Deno.test("settlesWithin() rejects with the promise's error when it rejects first", async () => {
  const failure = new Error("close failed");
  await assert.rejects(settlesWithin(Promise.reject(failure), 60_000), (e) => e === failure);
});

Deno.test("settlesWithin() refuses a time limit a timer cannot keep", async () => {
  for (const ms of [-1, NaN, 2 ** 31]) {
    await assert.rejects(
      settlesWithin(Promise.resolve(), ms),
      (error) => error instanceof RangeError && error.message.includes(String(ms)),
    );
  }
});
