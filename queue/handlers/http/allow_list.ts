/**
 * `--http-allow`: the destinations the `http` job type may call although their addresses are
 * refused (loopback, private, link-local, …). Host names, addresses and CIDR ranges, each with an
 * optional port.
 * @module
 */

import { IpRanges, parseIp } from "../../primitives/ip_ranges.ts";

/** One entry: a host name or a set of addresses, and the port it is limited to (any if absent). */
type Entry =
  | { name: string; port?: number }
  | { addresses: IpRanges; port?: number };

/** `host`, `host:port`, `[v6]`, `[v6]:port`: the host and the port as written. */
const HOST_PORT = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/;

const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

function problem(entry: string): RangeError {
  return new RangeError(
    `${JSON.stringify(entry)} is not a host name, address or CIDR range (with an optional :port)`,
  );
}

/** Reads one entry; throws a `RangeError` naming it. */
function parseEntry(entry: string): Entry {
  // A CIDR range, a named range or a bare IPv6 address: no port (bracket an address for one).
  if (entry.includes("/") || NAMED_RANGES.has(entry.toLowerCase()) || parseIp(entry) !== null) {
    try {
      return { addresses: IpRanges.parse([entry]) };
    } catch {
      throw problem(entry);
    }
  }
  const match = HOST_PORT.exec(entry);
  if (match === null) throw problem(entry);
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) throw problem(entry);
  let host: string;
  try {
    // Normalised as URLs are: lower case, IDNs as punycode, `0x7f.1` as 127.0.0.1.
    const url = new URL(`http://${match[1]}/`);
    if (url.pathname !== "/" || url.username !== "" || url.search !== "") throw problem(entry);
    host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    throw problem(entry);
  }
  return parseIp(host) !== null
    ? { addresses: IpRanges.parse([host]), port }
    : { name: host.replace(/\.$/, ""), port };
}

/**
 * The destinations `--http-allow` lists. A host name allows the URLs naming it, whatever it
 * resolves to; an address or range allows connecting to the addresses in it, whatever the name.
 *
 * @example
 * ```ts
 * import { HttpAllowList } from "./allow_list.ts";
 * const allow = HttpAllowList.parse(["hooks.internal", "127.0.0.1:9000", "10.0.0.0/8"]);
 * allow.allows("hooks.internal", "10.1.1.1", 443); // true: the name is listed
 * allow.allows("anything.example", "127.0.0.1", 9000); // true: the address and port are
 * allow.allows("anything.example", "127.0.0.1", 9001); // false: another port
 * ```
 */
export class HttpAllowList {
  readonly #entries: readonly Entry[];

  private constructor(entries: Entry[]) {
    this.#entries = entries;
  }

  /** Allows nothing: every refused address stays refused. */
  static readonly NONE: HttpAllowList = new HttpAllowList([]);

  /**
   * Reads entries (blank ones skipped): `name`, `name:port`, `address`, `address:port`,
   * `[ipv6]:port`, `cidr`, or `loopback`, `linklocal`, `uniquelocal`. Throws a `RangeError`
   * naming the first entry it cannot read.
   */
  static parse(entries: readonly string[]): HttpAllowList {
    return new HttpAllowList(
      entries.map((entry) => entry.trim()).filter((entry) => entry !== "").map(parseEntry),
    );
  }

  /** Whether an entry allows connecting to `address` for a URL naming `host` at `port`. */
  allows(host: string, address: string, port: number): boolean {
    const name = host.toLowerCase().replace(/\.$/, "");
    return this.#entries.some((entry) =>
      (entry.port === undefined || entry.port === port) &&
      ("name" in entry ? entry.name === name : entry.addresses.has(address))
    );
  }
}
