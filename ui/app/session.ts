/**
 * Who the dashboard is signed in as: the session `GET /api/session` describes (the key's name
 * and role, or authentication off), read and checked here, and the context that hands it, with
 * what the role may do, to every view.
 * @module
 */

/// <reference lib="dom" />

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { type Action, can, type Role } from "./permissions.ts";

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
 * Reads the answer of `GET /api/session` (or, with `auth` added, of `POST /api/session`).
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

/** What the views read of the session. */
export interface SessionState {
  session: Session;
  /** Signs out (`DELETE /api/session`), then shows the sign-in page. */
  signOut(): Promise<void>;
  /** The server refused the session's key (a 401): shows the sign-in page, saying so. */
  ended(): void;
}

/** The signed-in session; the app provides it around the dashboard. */
export const SessionContext = createContext<SessionState | null>(null);

/** The session the dashboard runs in. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (state === null) throw new Error("useSession() needs a SessionContext provider");
  return state;
}

/** Whether the signed-in key may do `action`: views hide what it cannot do. */
export function useCan(): (action: Action) => boolean {
  const { session } = useSession();
  return (action) => can(session.key.role, action);
}
