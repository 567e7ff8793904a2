/**
 * Who the client is, for per-client limits and logs: the connection's peer address, or, when
 * that peer is a trusted reverse proxy (`--trust-proxy`), the address that proxy saw, read from
 * `X-Forwarded-For` right to left past every trusted hop. A client that writes its own
 * `X-Forwarded-For` changes nothing unless it is itself a trusted proxy.
 * @module
 */

import type { Context } from "hono";
import { IpRanges, parseIp } from "../../queue/primitives/ip_ranges.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** The client's address, as {@linkcode ClientAddresses.resolve} found it. */
    clientAddress: string;
  }
}

/** The address given to requests that come through `app.request()`, with no connection. */
export const IN_PROCESS = "in-process";

/**
 * Resolves client addresses, trusting `X-Forwarded-For` only from the given proxies.
 *
 * @example
 * ```ts
 * import { ClientAddresses } from "./client_address.ts";
 * const clients = new ClientAddresses(["10.0.0.0/8"]);
 * // Through the proxy 10.0.0.2, which says the client is 203.0.113.7:
 * console.assert(clients.resolve("10.0.0.2", "198.51.100.1, 203.0.113.7") === "203.0.113.7");
 * // A client that speaks for itself is not believed:
 * console.assert(clients.resolve("203.0.113.7", "127.0.0.1") === "203.0.113.7");
 * ```
 */
export class ClientAddresses {
  readonly #proxies: IpRanges;

  /**
   * @param trustProxy addresses, CIDR ranges and the names `loopback`, `linklocal` and
   * `uniquelocal` (default: none, so `X-Forwarded-For` is never read). Throws a `RangeError`
   * naming an entry it cannot read.
   */
  constructor(trustProxy: readonly string[] = []) {
    this.#proxies = IpRanges.parse(trustProxy);
  }

  /**
   * The client behind `peer` (the connection's address): `peer` itself unless it is a trusted
   * proxy; then the rightmost address of `forwardedFor` that is not a trusted proxy (the
   * leftmost if all are; `peer` if the header is missing or names something that is no address).
   */
  resolve(peer: string, forwardedFor: string | null | undefined): string {
    if (this.#proxies.empty || !forwardedFor || !this.#proxies.has(peer)) return peer;
    const hops = forwardedFor.split(",");
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i].trim();
      if (!this.#proxies.has(hop)) {
        // Untrusted: this is the client, if it is an address at all (else the last trusted hop).
        return parseIp(hop) !== null ? hop : client;
      }
      client = hop;
    }
    return client;
  }

  /** The client of a request served by `Deno.serve` (`info`), or `in-process` without one. */
  of(request: Request, info: Deno.ServeHandlerInfo | undefined): string {
    const peer = info?.remoteAddr;
    if (peer === undefined || !("hostname" in peer)) return IN_PROCESS;
    // Reading a header makes Deno build the request's Headers: only when they can matter.
    if (this.#proxies.empty) return peer.hostname;
    return this.resolve(peer.hostname, request.headers.get("x-forwarded-for"));
  }
}

/** The client address the request limits resolved for `c` (`in-process` if none did). */
export function clientAddressOf(c: Context): string {
  return c.get("clientAddress") ?? IN_PROCESS;
}
