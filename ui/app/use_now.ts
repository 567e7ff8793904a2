/**
 * The current time as a Preact hook, for views that show relative times (`12 s ago`).
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useState } from "preact/hooks";

/** The current time, updated every `interval` ms: keeps relative times fresh. */
export function useNow(interval = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(timer);
  }, [interval]);
  return now;
}
