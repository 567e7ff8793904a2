/**
 * Rate limits for work the live feed triggers (refetching a list or a job), as a Preact hook:
 * at most one call per interval, the last request of a burst never lost.
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useMemo, useRef } from "preact/hooks";
import { throttle, type Throttled } from "../../queue/primitives/throttle.ts";

/** A throttled call of the latest `fn`, stable across renders, cancelled on unmount. */
export function useThrottled(fn: () => void, interval: number): Throttled {
  const latest = useRef(fn);
  latest.current = fn;
  const throttled = useMemo(() => throttle(() => latest.current(), interval), [interval]);
  useEffect(() => () => throttled.cancel(), [throttled]);
  return throttled;
}
