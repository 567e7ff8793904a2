/**
 * ClientAddresses: the client behind a connection, with `X-Forwarded-For` believed only from
 * trusted proxies (rightmost untrusted hop).
 */

import assert from "node:assert/strict";
import { ClientAddresses, IN_PROCESS } from "../../../api/limits/client_address.ts";

Deno.test("ClientAddresses.resolve() ignores X-Forwarded-For when no proxy is trusted", () => {
  const clients = new ClientAddresses();
  assert.equal(clients.resolve("203.0.113.7", "127.0.0.1"), "203.0.113.7");
  assert.equal(clients.resolve("127.0.0.1", "203.0.113.7"), "127.0.0.1");
});

Deno.test("ClientAddresses.resolve() ignores a spoofed X-Forwarded-For from an untrusted peer", () => {
  const clients = new ClientAddresses(["10.0.0.0/8"]);
  assert.equal(clients.resolve("203.0.113.7", "10.0.0.5"), "203.0.113.7");
  assert.equal(clients.resolve("203.0.113.7", "198.51.100.1, 10.0.0.5"), "203.0.113.7");
});

Deno.test("ClientAddresses.resolve() takes the rightmost untrusted hop behind trusted proxies", () => {
  const clients = new ClientAddresses(["loopback", "10.0.0.0/8"]);
  // The client wrote its own header (a lie on the left); the proxy appended what it saw.
  assert.equal(clients.resolve("127.0.0.1", "1.1.1.1, 203.0.113.7"), "203.0.113.7");
  // Two proxies: an edge one at 10.0.0.2 in front of the local one.
  assert.equal(clients.resolve("127.0.0.1", "203.0.113.7, 10.0.0.2"), "203.0.113.7");
  assert.equal(clients.resolve("127.0.0.1", " 2001:db8::1 "), "2001:db8::1");
  // Every hop trusted: the leftmost one is the client.
  assert.equal(clients.resolve("127.0.0.1", "10.0.0.9, 10.0.0.2"), "10.0.0.9");
  // Missing header, or a hop that is no address: the last trusted hop.
  assert.equal(clients.resolve("127.0.0.1", null), "127.0.0.1");
  assert.equal(clients.resolve("127.0.0.1", "unknown"), "127.0.0.1");
  assert.equal(clients.resolve("127.0.0.1", "unknown, 10.0.0.2"), "10.0.0.2");
  assert.equal(clients.resolve("::ffff:127.0.0.1", "203.0.113.7"), "203.0.113.7");
});

Deno.test("ClientAddresses.of() reads the connection's address, in-process without one", () => {
  const clients = new ClientAddresses(["loopback"]);
  const request = new Request("http://x/", { headers: { "x-forwarded-for": "203.0.113.7" } });
  const info = (hostname: string) =>
    ({
      remoteAddr: { transport: "tcp", hostname, port: 40000 },
      completed: Promise.resolve(),
    }) as Deno.ServeHandlerInfo;
  assert.equal(clients.of(request, info("127.0.0.1")), "203.0.113.7");
  assert.equal(clients.of(request, info("198.51.100.1")), "198.51.100.1");
  assert.equal(clients.of(request, undefined), IN_PROCESS);
});

Deno.test("new ClientAddresses() throws a RangeError for an entry that is no address", () => {
  assert.throws(() => new ClientAddresses(["loopback", "yes"]), RangeError);
});
