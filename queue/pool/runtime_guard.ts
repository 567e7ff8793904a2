/**
 * Handler code shares its worker's global scope with the runtime. Before any of it loads, the
 * runtime keeps for itself the two things that reach beyond the sandbox: posting messages to
 * the pool (a handler could otherwise speak for the runtime: forge outcomes, flood the main
 * thread) and the Web Locks every worker's lifeline is made of (shared by the whole process:
 * a handler could otherwise steal another worker's lifeline, and the pool would end that
 * worker as dead).
 * @module
 */

/// <reference lib="deno.worker" />

/** Redefines `name` on `target` and every prototype that has it. */
function redefine(target: object, name: string, descriptor: PropertyDescriptor): void {
  for (let at: object | null = target; at !== null; at = Object.getPrototypeOf(at)) {
    if (Object.hasOwn(at, name)) Object.defineProperty(at, name, descriptor);
  }
}

/**
 * Returns the worker's own `postMessage`, and makes every other way to it throw.
 *
 * @example
 * ```ts ignore
 * const post = keepPostMessage();
 * post({ kind: "ready", types: [] });
 * ```
 */
export function keepPostMessage(): (message: unknown) => void {
  const post = self.postMessage.bind(self) as (message: unknown) => void;
  redefine(self, "postMessage", {
    value: () => {
      throw new TypeError(
        "Handler code cannot post messages to the pool: return a result, or use ctx",
      );
    },
    writable: false,
    configurable: false,
  });
  return post;
}

/** Takes Web Locks away from the code that loads next (the lifeline is held already). */
export function hideLocks(): void {
  redefine(navigator, "locks", { get: () => undefined, configurable: false });
}
