/**
 * A port that accepts each connection and closes it at once, before a byte is sent: a proxy or
 * port forward whose database is gone. Counts the connections it took.
 * @module
 */

/** A listener that closes what it accepts; `accepted` counts them. */
export interface AcceptAndClose {
  readonly port: number;
  readonly accepted: number;
  /** Stops listening; resolves once the accept loop has ended. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port`, or a free one) and closes every connection it accepts. */
export function acceptAndClose(port = 0): AcceptAndClose {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  let accepted = 0;
  const accepting = (async () => {
    for await (const connection of listener) {
      accepted++;
      connection.close();
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get accepted() {
      return accepted;
    },
    async close() {
      listener.close();
      await accepting;
    },
  };
}
