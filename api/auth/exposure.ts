/**
 * No key, no exposure: without a master key (authentication off) the server listens on loopback
 * only, unless the operator says `--insecure-no-auth`. Loopback is `127.0.0.0/8`, `::1` and
 * `localhost`; anything else (`0.0.0.0`, a LAN address, a name) may be reached from elsewhere.
 * @module
 */

/**
 * Whether `host` (`--host`) is a loopback address or `localhost`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./exposure.ts";
 * assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("localhost"));
 * assert.ok(!isLoopback("0.0.0.0"));
 * ```
 */
export function isLoopback(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
  const octets = name.split(".");
  return octets.length === 4 && octets[0] === "127" &&
    octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}

/** What decides whether the server may listen where it is asked to. */
export interface Exposure {
  host: string;
  masterKey?: string;
  insecureNoAuth?: boolean;
}

/**
 * Why the server must not listen as configured, or undefined when it may: one line naming
 * `--master-key`, for the command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exposureProblem } from "./exposure.ts";
 * assert.match(exposureProblem({ host: "0.0.0.0" })!, /--master-key/);
 * assert.equal(exposureProblem({ host: "0.0.0.0", insecureNoAuth: true }), undefined);
 * ```
 */
export function exposureProblem({ host, masterKey, insecureNoAuth }: Exposure): string | undefined {
  if (masterKey !== undefined || insecureNoAuth === true || isLoopback(host)) return undefined;
  return `Refusing to listen on ${host} without authentication: anyone who reaches it could ` +
    "read, clear and cancel every job. Set --master-key (or DENOQUEUE_MASTER_KEY), or listen " +
    "on 127.0.0.1, or pass --insecure-no-auth if something in front of it checks callers";
}

/** Whether the server runs on purpose without authentication where others may reach it. */
export function insecure({ host, masterKey, insecureNoAuth }: Exposure): boolean {
  return masterKey === undefined && insecureNoAuth === true && !isLoopback(host);
}
