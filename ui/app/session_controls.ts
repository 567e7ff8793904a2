/**
 * The session in the top bar: the signed-in key's name and role and a Sign out button; and,
 * when the server runs without authentication beyond loopback, a banner that says so on every
 * page.
 * @module
 */

/// <reference lib="dom" />

import { useState } from "preact/hooks";
import { errorMessage } from "./api_client.ts";
import { html } from "./html.ts";
import { useSession } from "./session_context.ts";

/** Who is signed in, and Sign out; nothing when the server has no authentication. */
export function SessionControls() {
  const { session, signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  if (session.auth === "off") return null;
  const leave = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await signOut();
    } catch (error) {
      setProblem(`Could not sign out: ${errorMessage(error)}`);
      setBusy(false);
    }
  };
  return html`
    <div class="session" data-testid="session">
      <span class="session-key" title=${`Signed in with the key ${session.key.id}`}>
        <span class="visually-hidden">Signed in as </span>
        <span data-testid="session-name">${session.key.name}</span>
        <span class=${`role role-${session.key.role}`} data-testid="session-role"
          >${session.key.role}</span>
      </span>
      <button type="button" class="button" disabled=${busy} onClick=${leave}
        data-testid="sign-out">Sign out</button>
      ${problem &&
        html`<p class="notice notice-error session-problem" role="alert">${problem}</p>`}
    </div>
  `;
}

/** The warning a server with authentication off, reachable beyond loopback, shows. */
export function InsecureBanner() {
  const { session } = useSession();
  if (session.auth !== "off" || !session.insecure) return null;
  return html`
    <div class="banner" role="alert" data-testid="insecure-banner">
      <strong>Authentication is off</strong> and this server listens beyond loopback: anyone who
      reaches it can read, enqueue, cancel, retry and delete every job. Restart it with <code
      >--master-key</code> to require keys.
    </div>
  `;
}
