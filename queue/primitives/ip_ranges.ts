/**
 * IP addresses and ranges (CIDR): for telling a trusted proxy from anyone else, and the addresses
 * the `http` job type refuses. IPv4 and IPv6; an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, as
 * a dual-stack listener reports IPv4 peers) is its IPv4 address.
 * @module
 */

/** An address as 16 bytes (IPv4 as IPv4-mapped IPv6), so both families compare alike. */
type Bytes = Uint8Array;

/** Named ranges, as Express's `trust proxy` (proxy-addr) spells them. */
const NAMED: Record<string, string[]> = {
  loopback: ["127.0.0.1/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string, into: Bytes, offset: number): boolean {
  const match = IPV4.exec(text);
  if (match === null) return false;
  for (let i = 0; i < 4; i++) {
    const part = Number(match[i + 1]);
    if (part > 255 || (match[i + 1].length > 1 && match[i + 1][0] === "0")) return false;
    into[offset + i] = part;
  }
  return true;
}

/** Parses an IPv4 or IPv6 address (an IPv6 zone such as `%eth0` is ignored); null if neither. */
export function parseIp(text: string): Bytes | null {
  const bytes = new Uint8Array(16);
  if (!text.includes(":")) {
    if (!parseIpv4(text, bytes, 12)) return null;
    bytes[10] = bytes[11] = 0xff;
    return bytes;
  }
  let address = text.replace(/%.*$/, "");
  // A dotted IPv4 tail (`::ffff:10.0.0.1`) is two groups.
  const lastColon = address.lastIndexOf(":");
  if (address.includes(".", lastColon)) {
    const v4 = new Uint8Array(4);
    if (!parseIpv4(address.slice(lastColon + 1), v4, 0)) return null;
    const hex = (high: number, low: number) => ((high << 8) | low).toString(16);
    address = `${address.slice(0, lastColon + 1)}${hex(v4[0], v4[1])}:${hex(v4[2], v4[3])}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return null;
  const groups = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(groups[i])) return null;
    const value = parseInt(groups[i], 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  }
  return bytes;
}

/** Whether `bytes` is an IPv4 address (stored IPv4-mapped). */
function isIpv4(bytes: Bytes): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** One range: its first address, how many leading bits must match, and the entry it came from. */
interface Range {
  base: Bytes;
  bits: number;
  entry: string;
}

/** Parses `10.0.0.0/8`, `fd00::/8`, or one address (a range of one); throws a `RangeError`. */
function parseRange(entry: string): Range {
  const [address, prefix, extra] = entry.split("/");
  const base = parseIp(address);
  if (base === null || extra !== undefined) {
    throw new RangeError(`${JSON.stringify(entry)} is not an IP address or CIDR range`);
  }
  const width = isIpv4(base) ? 32 : 128;
  if (prefix === undefined) return { base, bits: 128, entry };
  const length = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!(length <= width)) {
    throw new RangeError(
      `${JSON.stringify(entry)} has a prefix length that is not 0 to ${width}`,
    );
  }
  return { base, bits: length + 128 - width, entry };
}

function matches({ base, bits }: Range, address: Bytes): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (base[i] !== address[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (base[whole] & mask) === (address[whole] & mask);
}

/**
 * A set of IP ranges.
 *
 * @example
 * ```ts
 * import { IpRanges } from "./ip_ranges.ts";
 * const proxies = IpRanges.parse(["loopback", "10.0.0.0/8"]);
 * console.assert(proxies.has("10.1.2.3") && proxies.has("::ffff:127.0.0.1"));
 * console.assert(!proxies.has("192.0.2.1"));
 * ```
 */
export class IpRanges {
  readonly #ranges: Range[];

  private constructor(ranges: Range[]) {
    this.#ranges = ranges;
  }

  /**
   * Reads addresses, CIDR ranges and the names `loopback`, `linklocal` and `uniquelocal`.
   * Throws a `RangeError` naming the first entry it cannot read.
   */
  static parse(entries: readonly string[]): IpRanges {
    const ranges: Range[] = [];
    for (const raw of entries) {
      const entry = raw.trim();
      for (const part of NAMED[entry.toLowerCase()] ?? [entry]) ranges.push(parseRange(part));
    }
    return new IpRanges(ranges);
  }

  /** Whether there are no ranges at all. */
  get empty(): boolean {
    return this.#ranges.length === 0;
  }

  /** Whether `address` (IPv4 or IPv6 text) is in one of the ranges; false if it is no address. */
  has(address: string): boolean {
    return this.find(address) !== undefined;
  }

  /**
   * The first range holding `address`, as its entry was written (a named range as one of its
   * CIDRs: `127.0.0.1/8`); `undefined` if none does or `address` is no address.
   *
   * @example
   * ```ts
   * import { IpRanges } from "./ip_ranges.ts";
   * IpRanges.parse(["loopback", "10.0.0.0/8"]).find("10.9.8.7"); // "10.0.0.0/8"
   * ```
   */
  find(address: string): string | undefined {
    if (this.#ranges.length === 0) return undefined;
    const bytes = parseIp(address);
    if (bytes === null) return undefined;
    return this.#ranges.find((range) => matches(range, bytes))?.entry;
  }
}
