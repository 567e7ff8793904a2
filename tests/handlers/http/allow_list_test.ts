/**
 * `--http-allow` entries: host names, addresses and CIDR ranges, each with an optional port, and
 * refusals that name the entry.
 */

import assert from "node:assert/strict";
import { HttpAllowList } from "../../../queue/handlers/http/allow_list.ts";

Deno.test("HttpAllowList.allows() matches a host name, at any port or the one given", () => {
  const allow = HttpAllowList.parse(["Hooks.Internal", "api.internal:8443", "bücher.example."]);
  assert.ok(allow.allows("hooks.internal", "10.0.0.1", 80));
  assert.ok(allow.allows("HOOKS.internal.", "192.168.1.1", 9000));
  assert.ok(allow.allows("api.internal", "10.0.0.2", 8443));
  assert.ok(!allow.allows("api.internal", "10.0.0.2", 443));
  assert.ok(allow.allows("xn--bcher-kva.example", "10.0.0.3", 443), "an IDN as punycode");
  assert.ok(!allow.allows("other.internal", "10.0.0.1", 80));
  assert.ok(!allow.allows("sub.hooks.internal", "10.0.0.1", 80), "no subdomains");
});

Deno.test("HttpAllowList.allows() matches addresses and ranges, whatever the name", () => {
  const allow = HttpAllowList.parse([
    "127.0.0.1:9000",
    "[::1]:9001",
    "fd00::1",
    "10.0.0.0/8",
    "uniquelocal",
    "0x7f.0.0.2",
  ]);
  assert.ok(allow.allows("anything.example", "127.0.0.1", 9000));
  assert.ok(allow.allows("127.0.0.1", "::ffff:127.0.0.1", 9000), "IPv4-mapped is IPv4");
  assert.ok(!allow.allows("127.0.0.1", "127.0.0.1", 9001));
  assert.ok(allow.allows("::1", "::1", 9001));
  assert.ok(!allow.allows("::1", "::1", 9000));
  assert.ok(allow.allows("x", "fd00::1", 1));
  assert.ok(allow.allows("x", "10.200.0.1", 443));
  assert.ok(allow.allows("x", "192.168.7.7", 443), "uniquelocal, as --trust-proxy reads it");
  assert.ok(allow.allows("x", "127.0.0.2", 80), "an address normalised as URLs are");
  assert.ok(!allow.allows("x", "127.0.0.3", 80));
  assert.ok(!allow.allows("x", "169.254.169.254", 80));
});

Deno.test("HttpAllowList.NONE and an empty list allow nothing", () => {
  for (
    const allow of [HttpAllowList.NONE, HttpAllowList.parse([]), HttpAllowList.parse([" ", ""])]
  ) {
    assert.ok(!allow.allows("localhost", "127.0.0.1", 80));
  }
});

Deno.test("HttpAllowList.parse() throws a RangeError naming the entry it cannot read", () => {
  for (
    const entry of [
      "10.0.0.0/33",
      "10.0.0.0/8:80",
      "host:0",
      "host:65536",
      "host:port",
      "http://host",
      "host/path",
      "user@host",
      "a b",
      "[::1",
      "[nope]:80",
      "::1:80:",
    ]
  ) {
    assert.throws(() => HttpAllowList.parse(["localhost", entry]), {
      name: "RangeError",
      message: `${
        JSON.stringify(entry)
      } is not a host name, address or CIDR range (with an optional :port)`,
    }, entry);
  }
});
