/**
 * The sign-in page: paste an API key, and the server answers with a session cookie
 * (`POST /api/session`). A refused key is said next to the field; after too many failed
 * attempts the page counts down the wait the server asks for (429, `Retry-After`).
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api_client.ts";
import { FieldError } from "./form_errors.ts";
import { html } from "./html.ts";
import { readSession, type Session, type SignInProblem, signInProblem } from "./session.ts";

/** Why the sign-in page is shown (signed out, the session ended), above the form. */
export interface SignInNotice {
  tone: "ok" | "error";
  text: string;
}

/** What {@linkcode SignInPage} shows and reports to. */
export interface SignInPageProps {
  notice?: SignInNotice;
  onSignedIn: (session: Session) => void;
}

function useWait(until: number | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (until === undefined) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [until]);
  return until === undefined ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

/** The whole page before sign-in: the form, and nothing of the queue. */
export function SignInPage({ notice, onSignedIn }: SignInPageProps) {
  const [problem, setProblem] = useState<SignInProblem | undefined>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const wait = useWait(problem?.until);
  const waiting = wait > 0;

  useEffect(() => {
    document.title = "Sign in · DenoQueue";
    input.current?.focus();
  }, []);
  useEffect(() => {
    if (problem !== undefined) input.current?.focus();
  }, [problem]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const key = input.current?.value.trim() ?? "";
    if (key === "") {
      setProblem({ text: "Paste an API key: it starts with dq_." });
      return;
    }
    setBusy(true);
    try {
      onSignedIn(readSession(await api.signIn(key)));
    } catch (error) {
      setProblem(signInProblem(error));
      setBusy(false);
    }
  };

  const messages = problem === undefined
    ? undefined
    : [waiting ? `${problem.text} Try again in ${wait} s.` : problem.text];
  return html`
    <main id="main" class="sign-in" data-testid="sign-in-page">
      <form class="card form sign-in-card" novalidate onSubmit=${submit} data-testid="sign-in-form">
        <h1><span class="brand-mark" aria-hidden="true">▚</span>DenoQueue</h1>
        ${notice &&
          html`
            <p class=${`notice notice-${notice.tone}`} role="status" data-testid="sign-in-notice"
            >${notice.text}</p>
          `}
        <div class="field">
          <label for="sign-in-key">API key</label>
          <input
            id="sign-in-key"
            ref=${input}
            type="password"
            name="key"
            autocomplete="off"
            spellcheck=${false}
            placeholder="dq_…"
            data-testid="sign-in-key"
            aria-invalid=${problem ? "true" : undefined}
            aria-describedby=${problem ? "error-sign-in sign-in-help" : "sign-in-help"}
          />
          <p class="help" id="sign-in-help">
            An admin makes keys with <code>POST /api/keys</code>. Once signed in, this browser
            keeps the key in a cookie that scripts cannot read, until you sign out.
          </p>
          <${FieldError} id="error-sign-in" messages=${messages} />
        </div>
        <div class="button-row">
          <button type="submit" class="button primary" disabled=${busy || waiting}
            data-testid="sign-in-submit">${busy ? "Signing in…" : "Sign in"}</button>
        </div>
      </form>
    </main>
  `;
}
