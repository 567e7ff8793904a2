/**
 * What a store keeps instead of a secret, and how two are compared. A key's secret is 256
 * random bits, so one SHA-256 is enough (as GitHub and Stripe keep their tokens): a slow
 * password hash only helps secrets people choose, which can be guessed.
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";

/**
 * SHA-256 of `secret`'s UTF-8 bytes (32 bytes). By `node:crypto`, synchronously: WebCrypto's
 * `crypto.subtle.digest` hands so small an input to another thread and back, which cost ten times
 * the CPU (`tests/bench/key_verify.ts`: 44 µs against 4), on every authenticated request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestSecret } from "./secret_digest.ts";
 * assert.equal((await digestSecret("abc")).length, 32);
 * ```
 */
export function digestSecret(secret: string): Promise<Uint8Array> {
  const digest = createHash("sha256").update(secret, "utf8").digest();
  return Promise.resolve(new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength));
}

/**
 * Whether two digests are equal, in time that does not depend on where they differ (digests
 * of different lengths are unequal; only their lengths, which are public, are compared early).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digestSecret, sameDigest } from "./secret_digest.ts";
 * assert.ok(sameDigest(await digestSecret("a"), await digestSecret("a")));
 * assert.ok(!sameDigest(await digestSecret("a"), await digestSecret("b")));
 * ```
 */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
