/**
 * Rate limits for work the live feed triggers (refetching a list or a job): at most one call
 * per interval, the last request of a burst never lost.
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useMemo, useRef } from "preact/hooks";

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

/** A throttled call of the latest `fn`, stable across renders, cancelled on unmount. */
export function useThrottled(fn: () => void, interval: number): Throttled {
  const latest = useRef(fn);
  latest.current = fn;
  const throttled = useMemo(() => throttle(() => latest.current(), interval), [interval]);
  useEffect(() => () => throttled.cancel(), [throttled]);
  return throttled;
}
