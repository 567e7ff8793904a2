/**
 * Where one request of an `http` job goes: its host resolved once, every address checked, and
 * those addresses alone connected to (`pinned_socket.ts`), so a name cannot resolve to a public
 * address for the check and to a private one for the connection (DNS rebinding).
 * @module
 */

import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { UnrecoverableError } from "../../errors.ts";
import type { HttpAllowList } from "./allow_list.ts";
import { refusal } from "./refused_addresses.ts";

/** One address a host resolves to. */
export interface ResolvedAddress {
  address: string;
  /** 4 or 6. */
  family: number;
}

/** Resolves a host name to all its addresses (as `node:dns`'s `lookup` with `all: true`). */
export type Lookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (`getaddrinfo`: `/etc/hosts`, then DNS), in the order it answers. */
export const systemLookup: Lookup = (hostname) =>
  dnsLookup(hostname, { all: true, verbatim: true });

/** A URL whose addresses were all checked: the request connects to these and no other. */
export interface Destination {
  url: URL;
  /** The host as the URL names it, without an IPv6 address's brackets. */
  host: string;
  port: number;
  addresses: ResolvedAddress[];
}

/** A destination's address is refused and `--http-allow` does not list it: no retry helps. */
export class RefusedDestinationError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = "RefusedDestinationError";
  }
}

/** Options of {@linkcode checkDestination}. */
export interface CheckOptions {
  allow: HttpAllowList;
  /** Default: {@linkcode systemLookup}. */
  lookup?: Lookup;
  /** What is being called, for errors: the URL, or which redirect. Default: the URL. */
  label?: string;
}

/**
 * Resolves `url`'s host and checks every address it has: one refused (and not allowed) refuses
 * the whole destination with a {@linkcode RefusedDestinationError} naming the address, its
 * range and `label`. A host that does not resolve throws an ordinary `Error` (worth a retry).
 *
 * @example
 * ```ts ignore
 * import { HttpAllowList } from "./allow_list.ts";
 * import { checkDestination } from "./destination.ts";
 * await checkDestination(new URL("http://127.0.0.1:9000/"), { allow: HttpAllowList.NONE });
 * // RefusedDestinationError: Refused http://127.0.0.1:9000/: 127.0.0.1 is in a refused range:
 * // loopback (127.0.0.0/8); list it in --http-allow to call it
 * ```
 */
export async function checkDestination(url: URL, options: CheckOptions): Promise<Destination> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const label = options.label ?? url.href;
  let addresses: ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (options.lookup ?? systemLookup)(host);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(
        `Cannot resolve ${host} for ${label}: ${typeof code === "string" ? code : error}`,
        { cause: error },
      );
    }
    if (addresses.length === 0) throw new Error(`Cannot resolve ${host} for ${label}: no address`);
  }
  for (const { address } of addresses) {
    const refused = refusal(address);
    if (refused === undefined || options.allow.allows(host, address, port)) continue;
    const which = address === host ? address : `${host} resolves to ${address}, which`;
    throw new RefusedDestinationError(
      `Refused ${label}: ${which} is in a refused range: ${refused.kind} (${refused.range}); ` +
        "list it in --http-allow to call it",
    );
  }
  return { url, host, port, addresses };
}
