/**
 * `delay` with an `AbortSignal`, in the shape of Deno std's `async/delay`.
 * @module
 */

/**
 * Resolves after `ms` milliseconds; rejects with the signal's reason if it aborts first.
 *
 * @example
 * ```ts
 * import { delay } from "./delay.ts";
 * await delay(10);
 * ```
 */
export function delay(ms: number, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  if (!Number.isFinite(ms) || ms < 0 || ms > 2_147_483_647) {
    // Timers overflow past 2^31-1 ms and would fire at once.
    throw new RangeError(`ms must be a number from 0 to 2147483647, received ${ms}`);
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
