/**
 * Who the dashboard is signed in as: the session `GET /api/session` describes (the key's name
 * and role, or authentication off), read and checked here, and the words for a sign-in the
 * server refused. No DOM, so Deno tests it.
 * @module
 */

import { ApiError, errorMessage } from "./api_client.ts";
import type { Role } from "./permissions.ts";

/** The key a session runs on, as the server shows it (never the secret). */
export interface SessionKey {
  id: string;
  name: string;
  role: Role;
  expiresAt?: string;
}

/**
 * A session: signed in with a key (`auth: "on"`), or a server without authentication, where
 * every visitor is an anonymous admin; `insecure` when that server listens beyond loopback.
 */
export type Session =
  | { auth: "on"; key: SessionKey }
  | { auth: "off"; insecure: boolean; key: SessionKey };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readKey(value: unknown): SessionKey {
  if (!isRecord(value)) throw new TypeError("The session's key is missing");
  const { id, name, role, expiresAt } = value;
  if (typeof id !== "string" || typeof name !== "string" || typeof role !== "string") {
    throw new TypeError(`The session's key is malformed: ${JSON.stringify(value)}`);
  }
  // A role this dashboard does not know is kept as it is: `can` lets it do nothing.
  const key: SessionKey = { id, name, role: role as Role };
  if (typeof expiresAt === "string") key.expiresAt = expiresAt;
  return key;
}

/**
 * Reads the answer of `GET /api/session` or `POST /api/session`.
 * Throws a `TypeError` naming what is wrong when it is not a session.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSession } from "./session.ts";
 * const session = readSession({ auth: "on", key: { id: "k1", name: "ci", role: "viewer" } });
 * assert.equal(session.key.role, "viewer");
 * ```
 */
export function readSession(body: unknown): Session {
  if (!isRecord(body)) throw new TypeError("The session answer is not an object");
  const key = readKey(body.key);
  if (body.auth === "on") return { auth: "on", key };
  if (body.auth === "off") return { auth: "off", insecure: body.insecure === true, key };
  throw new TypeError(`The session's auth is neither "on" nor "off": ${String(body.auth)}`);
}

/** What to say of a refused sign-in, and until when (epoch ms) to wait, for a 429. */
export interface SignInProblem {
  text: string;
  until?: number;
}

/**
 * The words for a refused sign-in: the server's own for a 401 (it says which of missing or not
 * valid, and no more), and for a 429 how long to wait, from `Retry-After`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ApiError } from "./api_client.ts";
 * import { signInProblem } from "./session.ts";
 * const limited = new ApiError(429, "too_many_attempts", "…", undefined, [], 30);
 * assert.equal(signInProblem(limited, 0).until, 30_000);
 * ```
 */
export function signInProblem(error: unknown, now = Date.now()): SignInProblem {
  if (!(error instanceof ApiError)) return { text: errorMessage(error) };
  if (error.status === 429) {
    const seconds = error.retryAfter ?? 60;
    return { text: "Too many failed attempts from this address.", until: now + seconds * 1000 };
  }
  return { text: error.message };
}
