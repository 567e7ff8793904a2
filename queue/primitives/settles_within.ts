/**
 * `settlesWithin`: a wait with a time limit, for steps (a peer's close handshake, a client's
 * last bytes) that must not hold a shutdown up forever.
 * @module
 */

/**
 * Resolves `true` once `promise` fulfils, or `false` if `ms` milliseconds pass first; rejects
 * if `promise` rejects first. Its timer is cleared either way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { settlesWithin } from "./settles_within.ts";
 * assert.equal(await settlesWithin(Promise.resolve(), 1_000), true);
 * assert.equal(await settlesWithin(new Promise(() => {}), 10), false);
 * ```
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (!Number.isFinite(ms) || ms < 0 || ms > 2_147_483_647) {
    // Timers overflow past 2^31-1 ms and would fire at once.
    throw new RangeError(`ms must be a number from 0 to 2147483647, received ${ms}`);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
