/**
 * Reading the names a request claims to be for: a `Host` value (`name[:port]`) and an origin
 * (`scheme://name[:port]`), each normalised the way browsers write them (lower case, IPv6 in
 * brackets, no default port), so that comparing two of them is comparing strings.
 * @module
 */

/** A host name or address with its port, if one was written. */
export interface HostAndPort {
  /** Lower case; an IPv6 address in brackets (`[::1]`), as `URL.hostname` has it. */
  hostname: string;
  /** The port as written; undefined when none was. */
  port?: number;
}

/** `name`, `name:port`, `[v6]` or `[v6]:port`, and nothing else (no user, path or scheme). */
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i;

/** `http(s)://` and a host, nothing after it but an optional `/`. */
const ORIGIN = /^https?:\/\/[^/?#@\s]+\/?$/i;

/** The default port of a scheme (`http:` 80, `https:` 443). */
export function defaultPort(protocol: string): number {
  return protocol === "https:" ? 443 : 80;
}

/**
 * Reads a `Host` header value or a host written in the configuration: `a.example`,
 * `b.example:8443`, `127.0.0.1:8080`, `[::1]:8080`. Undefined when it is anything else.
 *
 * @example
 * ```ts
 * import { parseHost } from "./addresses.ts";
 * parseHost("Queue.Example:8443"); // { hostname: "queue.example", port: 8443 }
 * ```
 */
export function parseHost(text: string): HostAndPort | undefined {
  const match = HOST.exec(text);
  if (match === null) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65535) return undefined;
  // URL canonicalises the name: case, IPv6 forms, IPv4 written as one number.
  const url = URL.parse(`http://${match[1]}/`);
  if (url === null || url.hostname === "") return undefined;
  return port === undefined ? { hostname: url.hostname } : { hostname: url.hostname, port };
}

/**
 * Reads an origin, `http(s)://name[:port]` with no path (a trailing `/` is allowed), query,
 * fragment or user; returns it as browsers send it in `Origin` (`https://a.example`, no
 * default port). Undefined when it is anything else.
 *
 * @example
 * ```ts
 * import { parseOrigin } from "./addresses.ts";
 * parseOrigin("HTTPS://App.Example:443/"); // "https://app.example"
 * ```
 */
export function parseOrigin(text: string): string | undefined {
  if (!ORIGIN.test(text)) return undefined;
  return URL.parse(text)?.origin;
}

/** Writes a host back as `Host` shows it: `name` or `name:port`. */
export function formatHost({ hostname, port }: HostAndPort): string {
  return port === undefined ? hostname : `${hostname}:${port}`;
}
