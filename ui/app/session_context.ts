/**
 * The signed-in session as the views get it: a context the app provides around the dashboard,
 * with signing out, and what the key's role may do.
 * @module
 */

/// <reference lib="dom" />

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { type Action, can } from "./permissions.ts";
import type { Session } from "./session.ts";

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
