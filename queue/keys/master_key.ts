/**
 * The master key: the one secret given in the configuration (`--master-key`), which turns
 * authentication on and acts as an admin named "master". It is kept only as its digest and
 * compared in constant time, like every key.
 * @module
 */

import { digestSecret, sameDigest } from "./secret_digest.ts";

/** Shortest master key accepted, in characters (bytes: it is ASCII). */
export const MASTER_KEY_MIN_LENGTH = 16;

/** Longest master key accepted, and longer than anything `ApiKeys.verify` looks at. */
export const MASTER_KEY_MAX_LENGTH = 1024;

/**
 * Why `secret` cannot be a master key, or undefined when it can: for a configuration parser to
 * name the flag it came from. The message never quotes the secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { masterKeyProblem } from "./master_key.ts";
 * assert.equal(masterKeyProblem("correct-horse-battery-staple"), undefined);
 * assert.match(masterKeyProblem("short")!, /at least 16/);
 * ```
 */
export function masterKeyProblem(secret: string): string | undefined {
  if (secret.length < MASTER_KEY_MIN_LENGTH) {
    return `must be at least ${MASTER_KEY_MIN_LENGTH} characters, received ${secret.length}`;
  }
  if (secret.length > MASTER_KEY_MAX_LENGTH) {
    return `must be at most ${MASTER_KEY_MAX_LENGTH} characters, received ${secret.length}`;
  }
  // What an `Authorization` header carries as written: no spaces, no control characters.
  if (!/^[\x21-\x7e]+$/.test(secret)) {
    return "must be printable ASCII without spaces (e.g. from `openssl rand -base64 32`)";
  }
  return undefined;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MasterKey } from "./master_key.ts";
 * import { digestSecret } from "./secret_digest.ts";
 * const master = new MasterKey("correct-horse-battery-staple");
 * assert.ok(await master.matches(await digestSecret("correct-horse-battery-staple")));
 * ```
 */
export class MasterKey {
  #digest: Promise<Uint8Array>;

  /** Throws a `RangeError` naming `masterKey` when `secret` is too short or not printable. */
  constructor(secret: string) {
    const problem = masterKeyProblem(secret);
    if (problem !== undefined) throw new RangeError(`masterKey ${problem}`);
    this.#digest = digestSecret(secret);
  }

  /** Whether `digest` is the master key's, compared in constant time. */
  async matches(digest: Uint8Array): Promise<boolean> {
    return sameDigest(digest, await this.#digest);
  }
}
