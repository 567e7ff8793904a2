/**
 * A store wrapper for shutdown tests: it records every call in order, can hold the next call of
 * a method until the test lets it go, and notes every call made once `close()` was called.
 * @module
 */

import type { Store } from "../../queue/store/store.ts";

/** A held call: `reached` resolves when it arrives, `release()` lets it on to the store. */
export interface HeldCall {
  reached: Promise<void>;
  release(): void;
}

/** What {@linkcode recordStore} gives back. */
export interface RecordedStore {
  /** Use this in place of the wrapped store. */
  store: Store;
  /** `method` when a call starts, `method:end` when it settles, in order. */
  calls: string[];
  /** Methods called after `close()` was. */
  callsAfterClose: string[];
  /** Holds the next call of `method` (before it reaches the store) until released. */
  hold(method: string): HeldCall;
}

/** Wraps `inner`; its own methods run unchanged once a call is let through. */
export function recordStore(inner: Store): RecordedStore {
  const calls: string[] = [];
  const callsAfterClose: string[] = [];
  const holds = new Map<string, { reached: () => void; released: Promise<void> }>();
  let closed = false;
  const store = new Proxy(inner, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      const method = String(key);
      return async (...args: unknown[]) => {
        if (closed) callsAfterClose.push(method);
        if (method === "close") closed = true;
        calls.push(method);
        const held = holds.get(method);
        if (held !== undefined) {
          holds.delete(method);
          held.reached();
          await held.released;
        }
        try {
          return await value.apply(target, args);
        } finally {
          calls.push(`${method}:end`);
        }
      };
    },
  });
  return {
    store,
    calls,
    callsAfterClose,
    hold(method) {
      const reached = Promise.withResolvers<void>();
      const released = Promise.withResolvers<void>();
      holds.set(method, { reached: reached.resolve, released: released.promise });
      return { reached: reached.promise, release: released.resolve };
    },
  };
}
