/**
 * The addresses the `http` job type refuses to connect to unless `--http-allow` lists them: those
 * that reach this machine, its private networks or its cloud provider's metadata service rather
 * than the public internet.
 * @module
 */

import { IpRanges, parseIp } from "../../primitives/ip_ranges.ts";

/** Why an address is refused: its kind, and the range it is in as written here. */
export interface Refusal {
  /** `loopback`, `private`, `link-local`, `cloud metadata`, … */
  kind: string;
  /** The range that holds the address, e.g. `127.0.0.0/8`. */
  range: string;
}

/** The refused kinds, first match wins: metadata addresses before the ranges holding them. */
const REFUSED: readonly (readonly [string, IpRanges])[] = [
  // AWS, GCP, Azure, Oracle (169.254.169.254), AWS over IPv6, Alibaba (in 100.64/10).
  ["cloud metadata", ["169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32"]],
  ["loopback", ["127.0.0.0/8", "::1/128"]],
  // Linux connects 0.0.0.0 (and ::) to this machine.
  ["unspecified", ["0.0.0.0/8", "::/128"]],
  // fec0::/10: site-local, deprecated, still private where used.
  ["private", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10"]],
  ["link-local", ["169.254.0.0/16", "fe80::/10"]],
  ["shared (CGNAT)", ["100.64.0.0/10"]],
  ["multicast", ["224.0.0.0/4", "ff00::/8"]],
  ["broadcast", ["255.255.255.255/32"]],
  // 240/4: reserved; ::/96: IPv4-compatible IPv6, deprecated; ::ffff:0:0:0/96: IPv4-translated.
  ["reserved", ["240.0.0.0/4", "::/96", "::ffff:0:0:0/96"]],
].map(([kind, ranges]) => [kind as string, IpRanges.parse(ranges as string[])] as const);

/** NAT64's well-known prefix: its last 32 bits are an IPv4 address, reached through a gateway. */
const NAT64 = IpRanges.parse(["64:ff9b::/96"]);

/**
 * Why the `http` job type refuses `address` (IPv4 or IPv6 text, an IPv4-mapped or NAT64 one as
 * its IPv4 address), or `undefined` when it may connect. Text that is no address is refused too
 * (`kind: "not an address"`): only checked addresses are connected to.
 *
 * @example
 * ```ts
 * import { refusal } from "./refused_addresses.ts";
 * refusal("127.0.0.1"); // { kind: "loopback", range: "127.0.0.0/8" }
 * refusal("::ffff:10.0.0.1"); // { kind: "private", range: "10.0.0.0/8" }
 * refusal("93.184.215.14"); // undefined
 * ```
 */
export function refusal(address: string): Refusal | undefined {
  const bytes = parseIp(address);
  if (bytes === null) return { kind: "not an address", range: address };
  if (NAT64.has(address)) {
    const embedded = refusal(bytes.slice(12).join("."));
    return embedded && { kind: `${embedded.kind} behind NAT64`, range: embedded.range };
  }
  for (const [kind, ranges] of REFUSED) {
    const range = ranges.find(address);
    if (range !== undefined) return { kind, range };
  }
  return undefined;
}
