/**
 * A worker's lifeline: a Web Lock the worker holds for as long as its thread lives. The pool
 * asks for the same lock, and Deno grants it the moment the thread ends, however it ends
 * (`Deno.exit()`, `close()`, a fatal error), with no help from the code that ended it. A worker
 * that is merely busy (a synchronous loop) keeps holding it.
 * @module
 */

import { defaultLogger } from "../primitives/logger.ts";

/** The part of the Web Locks API used here (Deno 2.9 has it, but its types do not declare it). */
interface LockManager {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}

function lockManager(): LockManager {
  const locks = (navigator as typeof navigator & { locks?: LockManager }).locks;
  if (locks === undefined) throw new TypeError("navigator.locks is missing: Web Locks are needed");
  return locks;
}

/**
 * Called in the worker: takes the lock `name` and holds it until the thread ends. Resolves once
 * it is held, and only then may the parent {@linkcode Lifeline.watch} it.
 *
 * @example
 * ```ts ignore
 * await holdLifeline(message.lifeline);
 * self.postMessage({ kind: "lifeline" });
 * ```
 */
export function holdLifeline(name: string): Promise<void> {
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  lockManager().request(name, {}, () => {
    resolve();
    return new Promise(() => {}); // Held until the thread ends.
  }).catch(reject);
  return promise;
}

/**
 * The parent's end of one worker's lifeline.
 *
 * @example
 * ```ts
 * import { Lifeline } from "./lifeline.ts";
 * const lifeline = new Lifeline(() => console.log("the worker ended"));
 * // Send lifeline.name to the worker; once it says it holds the lock:
 * lifeline.watch();
 * // When the pool terminates the worker itself:
 * lifeline.cut();
 * ```
 */
export class Lifeline {
  /** The lock's name, unique to this worker (workers of every pool share one lock manager). */
  readonly name = `denoqueue-worker-${crypto.randomUUID()}`;
  #onEnd: () => void;
  #onFailure: (error: unknown) => void;
  #cut = new AbortController();
  #watching = false;

  /**
   * `onEnd` is called once, as soon as the worker's thread ends, unless the line is cut first;
   * `onFailure` if watching fails (nothing known does). Default: logged by `defaultLogger()`.
   */
  constructor(onEnd: () => void, onFailure?: (error: unknown) => void) {
    this.#onEnd = onEnd;
    this.#onFailure = onFailure ??
      ((error) => defaultLogger().error("A worker's lifeline failed", { error }));
  }

  /** Starts watching; call it once the worker holds the lock (else it is granted at once). */
  watch(): void {
    if (this.#watching || this.#cut.signal.aborted) return;
    this.#watching = true;
    lockManager().request(this.name, { signal: this.#cut.signal }, () => {
      if (!this.#cut.signal.aborted) this.#onEnd();
    }).catch((error) => {
      // Cutting the line rejects the request; nothing else is known to.
      if (!this.#cut.signal.aborted) this.#onFailure(error);
    });
  }

  /** Stops watching: the pool ends the worker itself, or already knows it ended. */
  cut(): void {
    this.#cut.abort();
  }
}
