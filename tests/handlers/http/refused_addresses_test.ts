/**
 * The addresses `http` jobs refuse: every range at its edges, the IPv6 forms of IPv4 addresses,
 * and public addresses let through.
 */

import assert from "node:assert/strict";
import { refusal } from "../../../queue/handlers/http/refused_addresses.ts";

/** Each refused range: its kind, its range, and addresses inside it (first and last included). */
const REFUSED: [kind: string, range: string, inside: string[]][] = [
  ["cloud metadata", "169.254.169.254/32", ["169.254.169.254", "::ffff:169.254.169.254"]],
  ["cloud metadata", "fd00:ec2::254/128", ["fd00:ec2::254", "FD00:EC2:0:0:0:0:0:254"]],
  ["cloud metadata", "100.100.100.200/32", ["100.100.100.200"]],
  ["loopback", "127.0.0.0/8", ["127.0.0.0", "127.0.0.1", "127.255.255.255", "::ffff:127.0.0.1"]],
  ["loopback", "::1/128", ["::1", "0:0:0:0:0:0:0:1"]],
  ["unspecified", "0.0.0.0/8", ["0.0.0.0", "0.255.255.255", "::ffff:0.0.0.0"]],
  ["unspecified", "::/128", ["::"]],
  ["private", "10.0.0.0/8", ["10.0.0.0", "10.0.0.1", "10.255.255.255", "::ffff:10.0.0.1"]],
  ["private", "172.16.0.0/12", ["172.16.0.0", "172.31.255.255", "::ffff:ac10:1"]],
  ["private", "192.168.0.0/16", ["192.168.0.0", "192.168.255.255"]],
  ["private", "fc00::/7", ["fc00::", "fd12:3456::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]],
  ["private", "fec0::/10", ["fec0::1", "feff:ffff::1"]],
  ["link-local", "169.254.0.0/16", ["169.254.0.0", "169.254.169.253", "169.254.255.255"]],
  ["link-local", "fe80::/10", ["fe80::1", "fe80::1%eth0", "febf:ffff::1"]],
  ["shared (CGNAT)", "100.64.0.0/10", ["100.64.0.0", "100.127.255.255", "100.100.100.201"]],
  ["multicast", "224.0.0.0/4", ["224.0.0.0", "239.255.255.255"]],
  ["multicast", "ff00::/8", ["ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]],
  ["broadcast", "255.255.255.255/32", ["255.255.255.255"]],
  ["reserved", "240.0.0.0/4", ["240.0.0.0", "255.255.255.254"]],
  ["reserved", "::/96", ["::2", "::127.0.0.1", "::ffff"]],
  ["reserved", "::ffff:0:0:0/96", ["::ffff:0:127.0.0.1"]],
];

Deno.test("refusal() names the kind and range of every refused address", () => {
  for (const [kind, range, inside] of REFUSED) {
    for (const address of inside) {
      assert.deepEqual(refusal(address), { kind, range }, address);
    }
  }
});

Deno.test("refusal() lets through the public addresses just outside each range", () => {
  for (
    const address of [
      "1.1.1.1",
      "8.8.8.8",
      "9.255.255.255",
      "11.0.0.0",
      "126.255.255.255",
      "128.0.0.0",
      "172.15.255.255",
      "172.32.0.0",
      "192.167.255.255",
      "192.169.0.0",
      "169.253.255.255",
      "169.255.0.0",
      "100.63.255.255",
      "100.128.0.0",
      "1.0.0.0",
      "223.255.255.255",
      "::ffff:8.8.8.8",
      "2001:4860:4860::8888",
      "2606:4700::1111",
      "fbff:ffff::1",
      "fe00::1",
      "fe7f::1",
      "fbff::2",
      "::1:0:0:0",
      "64:ff9b::808:808",
    ]
  ) {
    assert.equal(refusal(address), undefined, address);
  }
});

Deno.test("refusal() looks through NAT64 at the IPv4 address behind it", () => {
  assert.deepEqual(refusal("64:ff9b::7f00:1"), {
    kind: "loopback behind NAT64",
    range: "127.0.0.0/8",
  });
  assert.deepEqual(refusal("64:ff9b::169.254.169.254"), {
    kind: "cloud metadata behind NAT64",
    range: "169.254.169.254/32",
  });
  assert.deepEqual(refusal("64:ff9b::a00:1"), {
    kind: "private behind NAT64",
    range: "10.0.0.0/8",
  });
});

Deno.test("refusal() refuses text that is no address", () => {
  for (const text of ["", "localhost", "[::1]", "127.0.0.1:80", "256.0.0.1", "0x7f.1"]) {
    assert.equal(refusal(text)?.kind, "not an address", text);
  }
});
