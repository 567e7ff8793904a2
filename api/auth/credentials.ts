/**
 * Where a request carries its key: `Authorization: Bearer <key>`, or the dashboard's session
 * cookie, whose value is the key itself (so every request checks it against the store, and a
 * revoked key ends its sessions at once). The cookie is `HttpOnly` (no script reads it),
 * `SameSite=Strict` (no other site's page sends it) and `Secure` on HTTPS.
 * @module
 */

/** The session cookie's name. */
export const SESSION_COOKIE = "denoqueue_session";

/** What a request presents: nothing, a secret (and where it came from), or a broken header. */
export type Presented =
  | { kind: "none" }
  /** `body`: a sign-in's; `message`: a producer socket's first message. */
  | { kind: "secret"; secret: string; from: "header" | "cookie" | "body" | "message" }
  /** An `Authorization` header that is not `Bearer <token>`. */
  | { kind: "malformed" };

const BEARER = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/**
 * The key a request presents. The header wins over the cookie: a client that sends one means it.
 * The cookie is the dashboard's, so it counts only on a request without an `Origin` or from one
 * that `ownOrigin` says is the server's: an app on `--cors-origins` that is same-site to the
 * server (`http://localhost:5173` for one on `localhost:8080`) gets the `SameSite=Strict` cookie
 * from the browser too, and must not act as whoever signed in to the dashboard. Without
 * `ownOrigin`, no origin is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { presentedKey } from "./credentials.ts";
 * const headers = new Headers({ authorization: "Bearer dq_x", cookie: "a=1; denoqueue_session=dq_y" });
 * assert.deepEqual(presentedKey(headers), { kind: "secret", secret: "dq_x", from: "header" });
 * headers.delete("authorization");
 * assert.deepEqual(presentedKey(headers), { kind: "secret", secret: "dq_y", from: "cookie" });
 * ```
 */
export function presentedKey(
  headers: Headers,
  ownOrigin: (origin: string) => boolean = () => false,
): Presented {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = BEARER.exec(authorization);
    return match === null
      ? { kind: "malformed" }
      : { kind: "secret", secret: match[1], from: "header" };
  }
  const cookie = headers.get("cookie");
  if (cookie !== null && isOwn(headers.get("origin"), ownOrigin)) {
    const value = cookieValue(cookie, SESSION_COOKIE);
    if (value !== undefined && value !== "") {
      const secret = decodeCookie(value);
      return secret === undefined
        ? { kind: "malformed" }
        : { kind: "secret", secret, from: "cookie" };
    }
  }
  return { kind: "none" };
}

/** Whether a request's `Origin` (null: none sent, as by a same-origin GET) is the server's. */
function isOwn(origin: string | null, ownOrigin: (origin: string) => boolean): boolean {
  return origin === null || ownOrigin(origin);
}

/** The value of cookie `name` in a `Cookie` header, as sent (still percent-encoded). */
function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** A cookie value back to the key it encodes; undefined when it is not valid percent-encoding. */
function decodeCookie(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * The `Set-Cookie` value that signs a browser in with `secret`, percent-encoded: a master key
 * may hold `;`, `,` or `"`, which a cookie value cannot: a session cookie, or one that
 * ends with the key's expiry (`expiresAt`, ISO 8601) when it has one; `Secure` when `secure`.
 */
export function sessionCookie(
  secret: string,
  options: { secure: boolean; expiresAt?: string; now?: number },
): string {
  const parts = [
    `${SESSION_COOKIE}=${encodeURIComponent(secret)}`,
    "HttpOnly",
    "SameSite=Strict",
    "Path=/",
  ];
  if (options.secure) parts.push("Secure");
  if (options.expiresAt !== undefined) {
    const seconds = Math.floor(
      (Date.parse(options.expiresAt) - (options.now ?? Date.now())) / 1000,
    );
    parts.push(`Max-Age=${Math.max(0, seconds)}`);
  }
  return parts.join("; ");
}

/** The `Set-Cookie` value that signs a browser out: the cookie emptied and expired. */
export function clearedSessionCookie(options: { secure: boolean }): string {
  const parts = [`${SESSION_COOKIE}=`, "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=0"];
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}
