/** Key tokens: their shape, their randomness, and reading the id back from one. */

import assert from "node:assert/strict";
import { keyIdOf, newKeyToken, SECRET_BYTES } from "../../queue/keys/key_token.ts";

const ID = "0123456789abcdef";
const SECRET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_0123";

Deno.test("newKeyToken() makes dq_<16 hex digits>_<32 random bytes in base64url>", () => {
  const { id, token } = newKeyToken();
  assert.match(id, /^[0-9a-f]{16}$/);
  const match = /^dq_([0-9a-f]{16})_([A-Za-z0-9_-]+)$/.exec(token);
  assert.ok(match, token);
  assert.equal(match[1], id);
  const secret = Uint8Array.fromBase64(match[2], { alphabet: "base64url" });
  assert.equal(secret.length, SECRET_BYTES);
  assert.ok(SECRET_BYTES >= 32);
});

Deno.test("newKeyToken() never makes the same id or token twice in 10,000", () => {
  const ids = new Set<string>();
  const tokens = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const { id, token } = newKeyToken();
    ids.add(id);
    tokens.add(token);
  }
  assert.equal(ids.size, 10_000);
  assert.equal(tokens.size, 10_000);
});

Deno.test("keyIdOf() reads the id of a token it made and of any token of that shape", () => {
  for (let i = 0; i < 100; i++) {
    const { id, token } = newKeyToken();
    assert.equal(keyIdOf(token), id);
  }
  assert.equal(keyIdOf(`dq_${ID}_${SECRET}`), ID);
  assert.equal(keyIdOf(`dq_${ID}_${"_".repeat(43)}`), ID, "underscores in the secret part");
});

Deno.test("keyIdOf() finds no id in strings of other shapes", () => {
  const malformed = [
    "",
    "dq_",
    "dq__",
    `dq_${ID}`,
    `dq_${ID}_`,
    `${ID}_${SECRET}`,
    `DQ_${ID}_${SECRET}`,
    `dq-${ID}-${SECRET}`,
    `xq_${ID}_${SECRET}`,
    `dq_${ID.toUpperCase()}_${SECRET}`,
    `dq_${ID.slice(1)}_${SECRET}`,
    `dq_${ID}0_${SECRET}`,
    `dq_${ID}_${SECRET.slice(1)}`,
    `dq_${ID}_${SECRET}A`,
    `dq_${ID}_${SECRET.slice(0, -1)}=`,
    `dq_${ID}_${SECRET.slice(0, -1)}+`,
    `dq_${ID}_${SECRET.slice(0, -1)}/`,
    ` dq_${ID}_${SECRET}`,
    `dq_${ID}_${SECRET} `,
    `dq_${ID}_${SECRET}\n`,
    `Bearer dq_${ID}_${SECRET}`,
    `dq_${ID}_${SECRET.slice(0, -1)}é`,
    `dq_master_${SECRET}`,
    `dq_${"g".repeat(16)}_${SECRET}`,
    `dq_${ID}_${SECRET}_${SECRET}`,
  ];
  for (const presented of malformed) {
    assert.equal(keyIdOf(presented), undefined, JSON.stringify(presented));
  }
});
