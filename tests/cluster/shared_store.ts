/**
 * A memory store that says it is shared (`exclusive` false), so several cluster nodes in one
 * test process see one another as PostgreSQL nodes would, without a database.
 */

import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import type { Store } from "../../queue/store/store.ts";

/** `store` (default: a new memory store) as if other processes shared it. */
export function sharedStore(store: Store = new MemoryStore()): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key === "exclusive") return false;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}
