/**
 * Throttling: at most one call per interval, the last request of a burst never lost.
 * @module
 */

/** A throttled function, and a way to drop its pending call. */
export interface Throttled {
  (): void;
  cancel(): void;
}

/**
 * Calls `fn` at once when idle, otherwise once at the end of the current interval.
 *
 * @example
 * ```ts
 * import { throttle } from "./throttle.ts";
 * const refetch = throttle(() => console.log("refetch"), 500);
 * refetch();
 * refetch(); // runs once more, 500 ms after the first
 * refetch.cancel();
 * ```
 */
export function throttle(fn: () => void, interval: number): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    last = Date.now();
    fn();
  };
  const throttled = () => {
    if (timer !== undefined) return;
    const wait = last + interval - Date.now();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  throttled.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return throttled;
}
