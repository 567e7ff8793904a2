/**
 * Connections that outlive the request that opened them (producer sockets, event streams),
 * by the key that opened them, so that a key's revocation or expiry ends them: at once when it
 * is revoked through this process, and within `recheckEvery` ms otherwise (revoked by another
 * process sharing the store, or expired), by checking each key again on a timer that runs only
 * while such connections are open.
 * @module
 */

import type { ApiKeys } from "../../queue/keys/api_keys.ts";
import { defaultLogger, type Logger } from "../../queue/primitives/logger.ts";

/** Default time between checks of the keys of open connections, in ms. */
export const DEFAULT_RECHECK_EVERY = 5_000;

/** One open connection: how to end it, with the reason the peer is told. */
type End = (reason: string) => void;

interface Holder {
  secret: string;
  ends: Set<End>;
}

/** Options for {@linkcode KeyedConnections}. */
export interface KeyedConnectionsOptions {
  /** The keys to check again; absent (authentication off): nothing is ever ended. */
  keys?: ApiKeys;
  /** Time between checks, in ms. Default {@linkcode DEFAULT_RECHECK_EVERY}. */
  recheckEvery?: number;
  logger?: Logger;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KeyedConnections } from "./keyed_connections.ts";
 * const connections = new KeyedConnections();
 * const reasons: string[] = [];
 * connections.add("k1", "dq_…", (reason) => reasons.push(reason));
 * connections.revoked("k1");
 * assert.deepEqual(reasons, ["The key was revoked"]);
 * ```
 */
export class KeyedConnections {
  readonly #keys: ApiKeys | undefined;
  readonly #recheckEvery: number;
  readonly #logger: Logger;
  #byKey = new Map<string, Holder>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: KeyedConnectionsOptions = {}) {
    this.#keys = options.keys;
    this.#recheckEvery = options.recheckEvery ?? DEFAULT_RECHECK_EVERY;
    if (!(this.#recheckEvery > 0)) {
      throw new RangeError(`recheckEvery must be more than 0 ms, received ${options.recheckEvery}`);
    }
    this.#logger = options.logger ?? defaultLogger();
  }

  /** Open connections. */
  get size(): number {
    let total = 0;
    for (const holder of this.#byKey.values()) total += holder.ends.size;
    return total;
  }

  /**
   * Registers a connection opened with key `keyId` (presented as `secret`); `end` is called
   * once, when the key no longer holds. Returns the function that forgets it (call it when the
   * connection closes by itself).
   */
  add(keyId: string, secret: string, end: End): () => void {
    let holder = this.#byKey.get(keyId);
    if (holder === undefined) {
      holder = { secret, ends: new Set() };
      this.#byKey.set(keyId, holder);
    }
    const ends = holder.ends;
    ends.add(end);
    this.#schedule();
    return () => {
      ends.delete(end);
      if (ends.size === 0 && this.#byKey.get(keyId)?.ends === ends) this.#byKey.delete(keyId);
    };
  }

  /** Ends every connection of key `keyId` now (it was revoked). */
  revoked(keyId: string): void {
    this.#end(keyId, "The key was revoked");
  }

  /** Checks every key with open connections once, ending those of keys that no longer hold. */
  async recheck(): Promise<void> {
    if (this.#keys === undefined) return;
    for (const [keyId, holder] of [...this.#byKey]) {
      try {
        const check = await this.#keys.verify(holder.secret);
        if (!check.ok) {
          this.#end(keyId, `The key is ${check.reason === "expired" ? "expired" : "revoked"}`);
        }
      } catch (error) {
        // The store could not be read: keep the connections; the next check tries again.
        this.#logger.warn("Could not check the key of open connections", { keyId, error });
      }
    }
  }

  /** Ends every connection and stops the timer (at shutdown, once they are closed). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#byKey.clear();
  }

  #end(keyId: string, reason: string): void {
    const holder = this.#byKey.get(keyId);
    if (holder === undefined) return;
    this.#byKey.delete(keyId);
    for (const end of holder.ends) end(reason);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#keys === undefined) return;
    this.#timer = setTimeout(async () => {
      await this.recheck();
      this.#timer = undefined;
      if (this.#byKey.size > 0) this.#schedule();
    }, this.#recheckEvery);
  }
}
