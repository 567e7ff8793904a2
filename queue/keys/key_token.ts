/**
 * The secret a key's holder presents: `dq_<id>_<random>`, the key's public id (16 hex digits)
 * and 32 random bytes in base64url. The id tells the store which key to compare with; the
 * random part is what makes it secret. `dq_` makes a leaked one easy to recognise and scan for.
 * @module
 */

/** What every token starts with. */
export const KEY_PREFIX = "dq_";

/** Random bytes in a token's secret part: 256 bits, beyond any guessing. */
export const SECRET_BYTES = 32;

const ID_BYTES = 8;
const TOKEN = /^dq_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;

/** A new key's id and the token its holder presents. */
export interface KeyToken {
  id: string;
  token: string;
}

/**
 * A new id and token, both from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyIdOf, newKeyToken } from "./key_token.ts";
 * const { id, token } = newKeyToken();
 * assert.equal(keyIdOf(token), id);
 * ```
 */
export function newKeyToken(): KeyToken {
  const id = crypto.getRandomValues(new Uint8Array(ID_BYTES)).toHex();
  const secret = crypto.getRandomValues(new Uint8Array(SECRET_BYTES))
    .toBase64({ alphabet: "base64url", omitPadding: true });
  return { id, token: `${KEY_PREFIX}${id}_${secret}` };
}

/**
 * The key id a token names, or undefined when `presented` does not have a token's shape
 * (prefix, 16 lowercase hex digits, `_`, 43 base64url characters, nothing else).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyIdOf } from "./key_token.ts";
 * assert.equal(keyIdOf("dq_0123456789abcdef_" + "A".repeat(43)), "0123456789abcdef");
 * assert.equal(keyIdOf("Bearer dq_0123"), undefined);
 * ```
 */
export function keyIdOf(presented: string): string | undefined {
  return TOKEN.exec(presented)?.[1];
}
