/**
 * The names this server answers to, and so the origins that are its own: its loopback names
 * and the address it binds at the port it listens on, and what the operator configured
 * (`--public-url`, `--allowed-hosts`). Never derived from a request's own `Host`.
 * @module
 */

import { defaultPort, type HostAndPort, parseHost, parseOrigin } from "./addresses.ts";

/** The names of the loopback interface, as `URL.hostname` writes them. */
export const LOOPBACK_NAMES: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/** How many spellings of its own hosts, and of its own origins, are remembered as such. */
const REMEMBERED = 256;

/** Addresses that bind every interface: they name no host. */
const WILDCARDS = new Set(["0.0.0.0", "[::]"]);

/** What {@linkcode OwnNames} is made from. */
export interface OwnNamesOptions {
  /** The address the server binds (`--host`); a name or a specific address is one of its own. */
  host?: string;
  /**
   * The port it will listen on (`--port`), until {@linkcode OwnNames.listening} says which it
   * got. 0 or none: any port until then.
   */
  port?: number;
  /** The URL users reach the service at (`--public-url`), e.g. behind a reverse proxy. */
  publicUrl?: string;
  /** More names it answers to (`--allowed-hosts`): `name` at any port, or `name:port`. */
  allowedHosts?: readonly string[];
  /** The scheme the server itself speaks. Default `http:`. */
  protocol?: "http:" | "https:";
}

/**
 * The server's own names and origins. Loopback names and the bound address count at the port
 * it listens on: the configured one, then the one {@linkcode OwnNames.listening} reports.
 *
 * @example
 * ```ts
 * import { OwnNames } from "./own_names.ts";
 * const names = new OwnNames({ publicUrl: "https://queue.example.com" });
 * names.listening(8080);
 * names.knowsHost("localhost:8080"); // true
 * names.knowsHost("evil.example:8080"); // false
 * names.isOwnOrigin("http://localhost:3000"); // false: another app on this machine
 * ```
 */
export class OwnNames {
  readonly #protocol: "http:" | "https:";
  /** Loopback names, and the bound address if it names one: at the listening port. */
  readonly #local: Set<string>;
  /** `--allowed-hosts`: any port when none was written. */
  readonly #configured: HostAndPort[];
  /** Hosts served: the configured ones and the public URL's. */
  readonly #served: HostAndPort[];
  readonly #publicOrigin: string | undefined;
  #port: number | undefined;
  /** Host values and origins found to be its own, as received: most requests repeat one. */
  readonly #ownHosts = new Set<string>();
  readonly #ownOrigins = new Set<string>();

  constructor(options: OwnNamesOptions = {}) {
    this.#protocol = options.protocol ?? "http:";
    this.#port = options.port || undefined;
    this.#local = new Set(LOOPBACK_NAMES);
    const bound = options.host === undefined ? undefined : parseBindAddress(options.host);
    if (bound !== undefined && !WILDCARDS.has(bound)) this.#local.add(bound);
    this.#configured = (options.allowedHosts ?? []).map((entry) => {
      const host = parseHost(entry);
      if (host === undefined) throw new TypeError(`Not a host or host:port: ${entry}`);
      return host;
    });
    this.#served = [...this.#configured];
    if (options.publicUrl !== undefined) {
      this.#publicOrigin = parseOrigin(options.publicUrl);
      if (this.#publicOrigin === undefined) {
        throw new TypeError(`Not an http(s) URL without a path: ${options.publicUrl}`);
      }
      // A proxy in front may pass its Host on with or without a port: the name is enough.
      const url = new URL(this.#publicOrigin);
      this.#served.push(url.port === "" ? { hostname: url.hostname } : parseHost(url.host)!);
    }
  }

  /** Records the port the server got (the real one when it asked for port 0). */
  listening(port: number): void {
    this.#port = port;
    this.#ownHosts.clear();
    this.#ownOrigins.clear();
  }

  /** Whether a `Host` value (`name[:port]`) names this server. */
  knowsHost(value: string): boolean {
    return this.#ownHosts.has(value) || remember(this.#ownHosts, value, this.#knowsHost(value));
  }

  /**
   * Whether an `Origin` is this server's own: the public URL's; a loopback name or the bound
   * address with its scheme and listening port; a configured `name:port` with that port; a
   * configured `name` at its listening port or at a scheme's default port (a proxy in front).
   * A page on another port of the same machine (`http://localhost:3000`) is not.
   */
  isOwnOrigin(origin: string): boolean {
    return this.#ownOrigins.has(origin) ||
      remember(this.#ownOrigins, origin, this.#isOwnOrigin(origin));
  }

  #knowsHost(value: string): boolean {
    const host = parseHost(value);
    if (host === undefined) return false;
    if (
      this.#local.has(host.hostname) &&
      this.#atOwnPort(host.port ?? defaultPort(this.#protocol))
    ) {
      return true;
    }
    return this.#served.some((entry) =>
      entry.hostname === host.hostname &&
      (entry.port === undefined || entry.port === host.port ||
        (host.port === undefined && (entry.port === 80 || entry.port === 443)))
    );
  }

  #isOwnOrigin(origin: string): boolean {
    const parsed = parseOrigin(origin);
    if (parsed === undefined) return false;
    if (parsed === this.#publicOrigin) return true;
    const url = new URL(parsed);
    const port = url.port === "" ? defaultPort(url.protocol) : Number(url.port);
    if (this.#local.has(url.hostname) && url.protocol === this.#protocol && this.#atOwnPort(port)) {
      return true;
    }
    return this.#configured.some((entry) =>
      entry.hostname === url.hostname &&
      (entry.port === undefined
        ? port === defaultPort(url.protocol) || this.#atOwnPort(port)
        : entry.port === port)
    );
  }

  #atOwnPort(port: number): boolean {
    return this.#port === undefined || this.#port === port;
  }
}

/** Adds `value` to `own` if it is its own and there is room; returns whether it is. */
function remember(own: Set<string>, value: string, isOwn: boolean): boolean {
  if (isOwn && own.size < REMEMBERED) own.add(value);
  return isOwn;
}

/** `--host` as `URL.hostname` writes it (`::1` → `[::1]`); undefined if it is no host. */
function parseBindAddress(host: string): string | undefined {
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return parseHost(bracketed)?.hostname;
}
