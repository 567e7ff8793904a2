/**
 * IP addresses and CIDR ranges, for `--trust-proxy` and the `http` job type's refusals: both families, IPv4-mapped IPv6, the named
 * ranges, and refusals that name the entry.
 */

import assert from "node:assert/strict";
import { IpRanges, parseIp } from "../../queue/primitives/ip_ranges.ts";

const hex = (bytes: Uint8Array | null) =>
  bytes === null ? null : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("parseIp() reads IPv4 and IPv6, IPv4 as IPv4-mapped IPv6", () => {
  assert.equal(hex(parseIp("127.0.0.1")), "00000000000000000000ffff7f000001");
  assert.equal(hex(parseIp("::ffff:127.0.0.1")), "00000000000000000000ffff7f000001");
  assert.equal(hex(parseIp("::1")), "00000000000000000000000000000001");
  assert.equal(hex(parseIp("2001:db8::8a2e:370:7334")), "20010db80000000000008a2e03707334");
  assert.equal(hex(parseIp("1:2:3:4:5:6:7:8")), "00010002000300040005000600070008");
  assert.equal(hex(parseIp("fe80::1%eth0")), "fe800000000000000000000000000001");
});

Deno.test("parseIp() refuses what is no address", () => {
  for (
    const text of [
      "",
      "localhost",
      "256.0.0.1",
      "1.2.3",
      "01.2.3.4",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "::ffff:1.2.3",
      ":1",
      "[::1]",
      "1.2.3.4:80",
    ]
  ) {
    assert.equal(parseIp(text), null, text);
  }
});

Deno.test("IpRanges.has() matches addresses, CIDR ranges and named ranges", () => {
  const ranges = IpRanges.parse(["loopback", "10.0.0.0/8", "2001:db8::/32", "192.168.1.7"]);
  for (const inside of ["127.9.9.9", "::1", "::ffff:127.0.0.1", "10.255.0.1", "2001:db8:1::1"]) {
    assert.ok(ranges.has(inside), inside);
  }
  for (const outside of ["11.0.0.1", "2001:db9::1", "192.168.1.8", "::2", "garbage", ""]) {
    assert.ok(!ranges.has(outside), outside);
  }
  assert.ok(ranges.has("192.168.1.7"));
  const local = IpRanges.parse(["uniquelocal", "linklocal"]);
  for (const inside of ["10.1.1.1", "172.31.255.255", "192.168.0.1", "fd12::1", "169.254.1.1"]) {
    assert.ok(local.has(inside), inside);
  }
  assert.ok(!local.has("172.32.0.1"));
  assert.ok(IpRanges.parse(["0.0.0.0/0"]).has("203.0.113.9"));
  assert.ok(!IpRanges.parse(["0.0.0.0/0"]).has("2001:db8::1"));
  assert.ok(IpRanges.parse([]).empty);
});

Deno.test("IpRanges.find() names the first range holding the address, as it was written", () => {
  const ranges = IpRanges.parse(["loopback", " 10.0.0.0/8 ", "10.1.0.0/16", "2001:db8::1"]);
  assert.equal(ranges.find("127.0.0.1"), "127.0.0.1/8");
  assert.equal(ranges.find("::1"), "::1/128");
  assert.equal(ranges.find("10.1.2.3"), "10.0.0.0/8");
  assert.equal(ranges.find("2001:db8:0::1"), "2001:db8::1");
  assert.equal(ranges.find("11.0.0.1"), undefined);
  assert.equal(ranges.find("not an address"), undefined);
  assert.equal(IpRanges.parse([]).find("10.0.0.1"), undefined);
});

Deno.test("IpRanges.parse() throws a RangeError naming the entry it cannot read", () => {
  assert.throws(() => IpRanges.parse(["loopback", "10.0.0.0/33"]), {
    name: "RangeError",
    message: '"10.0.0.0/33" has a prefix length that is not 0 to 32',
  });
  assert.throws(() => IpRanges.parse(["::/129"]), /"::\/129" has a prefix length/);
  assert.throws(() => IpRanges.parse(["true"]), /"true" is not an IP address or CIDR range/);
  assert.throws(() => IpRanges.parse(["1.2.3.4/8/2"]), /is not an IP address/);
});
