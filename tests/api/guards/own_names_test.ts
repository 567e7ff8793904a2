/**
 * OwnNames: which Host values and origins are the server's own, before and after it listens.
 * @module
 */

import assert from "node:assert/strict";
import { OwnNames } from "../../../api/guards/own_names.ts";

Deno.test("loopback names count at the configured port, then at the port it got", () => {
  const names = new OwnNames({ port: 8080 });
  assert.ok(names.knowsHost("127.0.0.1:8080"));
  assert.ok(!names.knowsHost("127.0.0.1:9000"));
  names.listening(9000);
  assert.ok(names.knowsHost("127.0.0.1:9000"));
  assert.ok(names.knowsHost("[0:0:0:0:0:0:0:1]:9000"), "IPv6 written out in full");
  assert.ok(!names.knowsHost("127.0.0.1:8080"));
  assert.ok(!names.knowsHost("localhost"), "no port is port 80");
});

Deno.test("port 0 counts any port until the server listens", () => {
  const names = new OwnNames({ port: 0 });
  assert.ok(names.knowsHost("localhost:1234"));
  names.listening(4321);
  assert.ok(!names.knowsHost("localhost:1234"));
  assert.ok(names.knowsHost("localhost:4321"));
});

Deno.test("a Host that is not name[:port] is refused", () => {
  const names = new OwnNames({ port: 8080 });
  for (const host of ["", "evil@127.0.0.1:8080", "127.0.0.1:8080/x", "http://127.0.0.1:8080"]) {
    assert.ok(!names.knowsHost(host), host);
  }
});

Deno.test("the bound address is its own unless it binds every interface", () => {
  assert.ok(new OwnNames({ host: "192.0.2.7", port: 80 }).knowsHost("192.0.2.7"));
  assert.ok(new OwnNames({ host: "fd00::7", port: 80 }).knowsHost("[fd00::7]"));
  assert.ok(new OwnNames({ host: "queue.lan", port: 80 }).isOwnOrigin("http://queue.lan"));
  for (const host of ["0.0.0.0", "::"]) {
    const names = new OwnNames({ host, port: 8080 });
    assert.ok(!names.knowsHost("0.0.0.0:8080"), host);
    assert.ok(!names.knowsHost("[::]:8080"), host);
    assert.ok(!names.knowsHost("10.0.0.1:8080"), host);
  }
});

Deno.test("own origins: scheme and port of loopback, not a sibling port", () => {
  const names = new OwnNames({ port: 8080 });
  assert.ok(names.isOwnOrigin("http://localhost:8080"));
  assert.ok(names.isOwnOrigin("http://[::1]:8080"));
  for (const origin of ["http://localhost:3000", "https://localhost:8080", "null", "", "x"]) {
    assert.ok(!names.isOwnOrigin(origin), origin);
  }
  const tls = new OwnNames({ port: 8443, protocol: "https:" });
  assert.ok(tls.isOwnOrigin("https://127.0.0.1:8443"));
  assert.ok(!tls.isOwnOrigin("http://127.0.0.1:8443"));
});

Deno.test("--allowed-hosts: a name at any port for Host; its origins at its port or a default", () => {
  const names = new OwnNames({ port: 8080, allowedHosts: ["a.example", "b.example:8443"] });
  assert.ok(names.knowsHost("a.example"));
  assert.ok(names.knowsHost("a.example:9999"));
  assert.ok(names.knowsHost("b.example:8443"));
  assert.ok(!names.knowsHost("b.example"));
  assert.ok(!names.knowsHost("c.example:8080"));
  for (const origin of ["http://a.example", "https://a.example", "http://a.example:8080"]) {
    assert.ok(names.isOwnOrigin(origin), origin);
  }
  assert.ok(!names.isOwnOrigin("http://a.example:9999"));
  assert.ok(names.isOwnOrigin("https://b.example:8443"));
  assert.ok(!names.isOwnOrigin("https://b.example"));
  assert.throws(() => new OwnNames({ allowedHosts: ["http://a.example"] }), TypeError);
});

Deno.test("--public-url: its host served at any port, its origin exactly", () => {
  const names = new OwnNames({ port: 8080, publicUrl: "https://queue.example.com/" });
  assert.ok(names.knowsHost("queue.example.com"));
  assert.ok(names.knowsHost("queue.example.com:443"));
  assert.ok(names.isOwnOrigin("https://queue.example.com"));
  assert.ok(names.isOwnOrigin("https://queue.example.com:443"));
  assert.ok(!names.isOwnOrigin("http://queue.example.com"));
  assert.ok(!names.isOwnOrigin("https://queue.example.com:8080"));
  const ported = new OwnNames({ publicUrl: "https://q.example:8443" });
  assert.ok(ported.knowsHost("q.example:8443"));
  assert.ok(!ported.knowsHost("q.example:8444"));
  assert.throws(() => new OwnNames({ publicUrl: "https://q.example/queue" }), TypeError);
});
