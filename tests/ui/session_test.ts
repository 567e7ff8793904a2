/**
 * The session as the dashboard reads it from `GET /api/session`: signed in with a key, or a
 * server without authentication (insecure when it listens beyond loopback); anything else is
 * refused with what is wrong.
 */

import assert from "node:assert/strict";
import { readSession } from "../../ui/app/session.ts";

const KEY = { id: "k1", name: "ci", role: "viewer" };

Deno.test("readSession() reads a signed-in session with its key", () => {
  assert.deepEqual(readSession({ auth: "on", key: KEY }), { auth: "on", key: KEY });
  const expiring = { ...KEY, expiresAt: "2030-01-01T00:00:00.000Z" };
  assert.deepEqual(readSession({ auth: "on", key: expiring }).key, expiring);
});

Deno.test("readSession() reads a server without authentication, insecure or not", () => {
  const anonymous = { id: "anonymous", name: "anonymous", role: "admin" };
  assert.deepEqual(readSession({ auth: "off", insecure: true, key: anonymous }), {
    auth: "off",
    insecure: true,
    key: anonymous,
  });
  const loopback = readSession({ auth: "off", insecure: false, key: anonymous });
  assert.equal(loopback.auth === "off" && loopback.insecure, false);
  // A server that leaves `insecure` out is not taken as insecure.
  const unsaid = readSession({ auth: "off", key: anonymous });
  assert.equal(unsaid.auth === "off" && unsaid.insecure, false);
});

Deno.test("readSession() drops what it does not read from the key", () => {
  const session = readSession({ auth: "on", key: { ...KEY, secret: "dq_x", expiresAt: 3 } });
  assert.deepEqual(session.key, KEY);
});

Deno.test("readSession() refuses what is not a session, saying what is wrong", () => {
  assert.throws(() => readSession(null), /not an object/);
  assert.throws(() => readSession([]), /not an object/);
  assert.throws(() => readSession({ auth: "on" }), /key is missing/);
  assert.throws(() => readSession({ auth: "on", key: { id: "k1" } }), /key is malformed/);
  assert.throws(() => readSession({ auth: "maybe", key: KEY }), /neither "on" nor "off"/);
});
