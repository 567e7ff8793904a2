/**
 * Revocations told across the cluster: a node that revokes a key says so on the store's
 * broadcast, and every node hears it at once, to end the producer sockets and event streams
 * opened with it. Requests need no news: each checks the key in the store. A revocation whose
 * news is lost (a connection down) still ends those connections at their next periodic check.
 * @module
 */

import type { Broadcast } from "../store/broadcast.ts";

/** The broadcast topic of revoked keys. */
export const KEYS_TOPIC = "keys";

/**
 * @example
 * ```ts ignore
 * const news = new RevocationNews(store.broadcast);
 * const stop = news.onRevoked((id) => connections.revoked(id));
 * await news.announce("k1");
 * ```
 */
export class RevocationNews {
  #broadcast: Broadcast;

  constructor(broadcast: Broadcast) {
    this.#broadcast = broadcast;
  }

  /** Tells every node (this one too) that key `id` is revoked. */
  announce(id: string): Promise<void> {
    return this.#broadcast.send(KEYS_TOPIC, [JSON.stringify({ revoked: id })]);
  }

  /** Calls `listener` with the id of every key revoked on any node. Returns the unsubscribe. */
  onRevoked(listener: (id: string) => void): () => void {
    return this.#broadcast.listen(KEYS_TOPIC, (payload) => {
      const id = revokedIn(payload);
      if (id !== undefined) listener(id);
    });
  }
}

function revokedIn(payload: string): string | undefined {
  try {
    const { revoked } = JSON.parse(payload);
    return typeof revoked === "string" ? revoked : undefined;
  } catch {
    return undefined;
  }
}
