/** Secret digests: SHA-256, and a comparison that looks at every byte whatever they hold. */

import assert from "node:assert/strict";
import { digestSecret, sameDigest } from "../../queue/keys/secret_digest.ts";

Deno.test("digestSecret() is SHA-256 of the UTF-8 bytes", async () => {
  // FIPS 180-2's example for "abc".
  assert.equal(
    (await digestSecret("abc")).toHex(),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    (await digestSecret("é")).toHex(),
    new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array([0xc3, 0xa9]))).toHex(),
  );
});

Deno.test("sameDigest() tells equal digests from ones differing in any byte", async () => {
  const digest = await digestSecret("secret");
  assert.ok(sameDigest(digest, digest.slice()));
  for (const at of [0, 15, 31]) {
    const other = digest.slice();
    other[at] ^= 1;
    assert.ok(!sameDigest(digest, other), `differing at byte ${at}`);
    assert.ok(!sameDigest(other, digest), `differing at byte ${at}, the other way`);
  }
});

Deno.test("sameDigest() of digests of different lengths is false, not an error", async () => {
  const digest = await digestSecret("secret");
  assert.ok(!sameDigest(digest, digest.subarray(0, 31)));
  assert.ok(!sameDigest(digest, new Uint8Array(0)));
  assert.ok(!sameDigest(new Uint8Array(0), digest));
  assert.ok(!sameDigest(digest, new Uint8Array([...digest, 0])));
});
