/**
 * A store whose heartbeats can be held back, as a node stopped (a long GC, a paused VM) would
 * hold them, while everything else it does goes on: for tests of a node presumed dead.
 * @module
 */

import type { Store } from "../../queue/store/store.ts";

/** A store whose heartbeats wait while `stalled` (a node stopped, say), then go on. */
export function stallableHeartbeat(store: Store) {
  let resume = Promise.withResolvers<void>();
  resume.resolve();
  const stalled = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== "heartbeat") return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        await resume.promise;
        return await value.apply(target, args);
      };
    },
  });
  return {
    store: stalled,
    stall: () => void (resume = Promise.withResolvers<void>()),
    resume: () => resume.resolve(),
  };
}
