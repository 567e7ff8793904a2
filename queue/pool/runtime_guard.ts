/**
 * Handler code shares its worker's global scope with the runtime. Before any of it loads, the
 * runtime keeps for itself the two things that reach beyond the sandbox: posting messages to
 * the pool (a handler could otherwise speak for the runtime: forge outcomes, flood the main
 * thread) and the Web Locks every worker's lifeline is made of (shared by the whole process:
 * a handler could otherwise steal another worker's lifeline, and the pool would end that
 * worker as dead). It also takes away what a worker shares with the server's process with no
 * permission check: its command line, the Cache API's files and broadcast channels.
 * @module
 */

/// <reference lib="deno.worker" />

import process from "node:process";

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

/**
 * Empties the server's command line as a worker sees it (`Deno.args`, `process.argv` past the
 * program, Deno's bootstrap copy): it holds `--master-key` and store URLs with passwords, and
 * Deno hands it to every worker with no permission check.
 */
export function hideArguments(): void {
  redefine(Deno, "args", { get: () => [], configurable: false });
  process.argv.splice(2);
  const deno = Deno as unknown as Record<symbol, Record<string, unknown> | undefined>;
  const bootstrap = deno[(Deno as unknown as { internal: symbol }).internal]
    ?.__nodeBootstrapArgs as { denoArgs?: string[] } | undefined;
  bootstrap?.denoArgs?.splice(0);
}

/**
 * Takes away what crosses sandboxes with no permission check: the Cache API (files under
 * Deno's own folder, written without write permission, kept across restarts and shared by every
 * worker) and broadcast channels (to every thread of the process).
 */
export function hideSharedChannels(): void {
  const refuse = (what: string) => () => {
    throw new TypeError(
      `Handler code cannot ${what}: it reaches beyond the job type's permissions`,
    );
  };
  redefine(globalThis, "caches", { get: refuse("use the Cache API"), configurable: false });
  redefine(globalThis, "BroadcastChannel", {
    get: refuse("open a BroadcastChannel"),
    configurable: false,
  });
}
