/**
 * The dashboard's root: asks the server who this browser is (`GET /api/session`), shows the
 * sign-in page until there is a session, the dashboard once there is, and the sign-in page
 * again, saying why, when the session ends (signed out, or any call answered 401).
 * @module
 */

/// <reference lib="dom" />

import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, errorMessage, onUnauthorized } from "./api_client.ts";
import { html } from "./html.ts";
import { readSession, type Session } from "./session.ts";
import { SessionContext, type SessionState } from "./session_context.ts";
import { Shell } from "./shell.ts";
import { type SignInNotice, SignInPage } from "./sign_in_page.ts";

/** Where the app is. */
type Gate =
  | { kind: "checking" }
  | { kind: "unreachable"; message: string }
  | { kind: "signed-out"; notice?: SignInNotice }
  | { kind: "signed-in"; session: Session };

const SIGNED_OUT: SignInNotice = { tone: "ok", text: "You are signed out." };
const ENDED: SignInNotice = {
  tone: "error",
  text: "Your session has ended: the server no longer accepts its key (revoked or expired). " +
    "Sign in again.",
};

/** The whole dashboard: `render(h(App, {}), root)`. */
export function App() {
  const [gate, setGate] = useState<Gate>({ kind: "checking" });

  const check = useCallback(async () => {
    setGate({ kind: "checking" });
    try {
      setGate({ kind: "signed-in", session: readSession(await api.session()) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setGate({ kind: "signed-out" });
      else if (error instanceof ApiError && error.status === 429) {
        setGate({ kind: "signed-out", notice: { tone: "error", text: error.message } });
      } else setGate({ kind: "unreachable", message: errorMessage(error) });
    }
  }, []);
  useEffect(() => {
    check();
  }, []);

  const ending = useRef(false);
  const ended = useCallback(() => {
    if (ending.current) return;
    ending.current = true;
    // The cookie still holds the refused key: every request that sent it again would count as a
    // failed authentication from this address, and enough of them block it (429). So it is
    // cleared first, and the sign-in page comes after, so that no new cookie can be cleared.
    api.signOut().catch(() => {/* unreachable: a new sign-in replaces the cookie anyway */})
      .finally(() => {
        ending.current = false;
        setGate({ kind: "signed-out", notice: ENDED });
      });
  }, []);
  const signedIn = gate.kind === "signed-in";
  useEffect(() => {
    if (!signedIn) return;
    return onUnauthorized(ended);
  }, [signedIn]);

  const state = useMemo((): SessionState | null => {
    if (gate.kind !== "signed-in") return null;
    return {
      session: gate.session,
      ended,
      async signOut() {
        try {
          await api.signOut();
        } catch (error) {
          // A session the server already ended is signed out all the same.
          if (!(error instanceof ApiError && error.status === 401)) throw error;
        }
        setGate({ kind: "signed-out", notice: SIGNED_OUT });
      },
    };
  }, [gate]);

  if (state !== null) {
    return html`
      <${SessionContext.Provider} value=${state}>
        <${Shell} />
        <//>
    `;
  }
  if (gate.kind === "signed-out") {
    return html`
      <${SignInPage}
        notice=${gate.notice}
        onSignedIn=${(session: Session) => setGate({ kind: "signed-in", session })}
      />
    `;
  }
  if (gate.kind === "unreachable") {
    return html`
      <main id="main" class="sign-in" data-testid="unreachable">
        <div class="card form sign-in-card">
          <p class="notice notice-error" role="alert">
            Could not ask the server for a session: ${gate.message}
          </p>
          <div class="button-row">
            <button type="button" class="button primary" onClick=${check}>Try again</button>
          </div>
        </div>
      </main>
    `;
  }
  return html`<p class="muted sign-in" role="status" data-testid="session-checking">Loading…</p>`;
}
