/**
 * Messages between the processes sharing a store, by topic: what one node tells the others at
 * once (job events for their live feeds, revoked keys). PostgreSQL carries them with
 * `NOTIFY`; a store one process uses alone has nobody to tell and offers none.
 * @module
 */

/** The largest payload a message may carry, in UTF-8 bytes (PostgreSQL's `NOTIFY` limit). */
export const MAX_BROADCAST_BYTES = 7_999;

/** Told each payload sent on a topic, by any process (this one too). */
export type BroadcastListener = (payload: string) => void;

/**
 * Messages to every process listening on a topic. Delivery is at most once, in the order sent
 * by one process, and only to processes listening at the time: a message sent while a
 * listener's connection is down is lost, so a message is news, never the only record.
 *
 * @example
 * ```ts ignore
 * const stop = store.broadcast?.listen("keys", (payload) => console.log(payload));
 * await store.broadcast?.send("keys", ["k1"]);
 * ```
 */
export interface Broadcast {
  /**
   * Sends each payload (at most {@linkcode MAX_BROADCAST_BYTES} bytes) as its own message on
   * `topic`, in order, in one round trip. Rejects when the store cannot be reached.
   */
  send(topic: string, payloads: string[]): Promise<void>;
  /** Calls `listener` with every payload sent on `topic`. Returns the unsubscribe function. */
  listen(topic: string, listener: BroadcastListener): () => void;
}
