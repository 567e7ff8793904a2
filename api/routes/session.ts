/**
 * The dashboard's session: `POST /api/session` `{ "key": "dq_…" }` signs a browser in (the key
 * checked like any, failures rate-limited, then set as an `HttpOnly` cookie); `GET /api/session`
 * says who is signed in (401 when nobody is), or that authentication is off; `DELETE` signs out.
 * @module
 */

import { type Context, Hono } from "hono";
import { ANONYMOUS, type Caller } from "../auth/authenticator.ts";
import { clientAddressOf } from "../limits/client_address.ts";
import { clearedSessionCookie, sessionCookie } from "../auth/credentials.ts";
import { allow } from "../auth/route_rule.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { requestIdOf } from "../request_id.ts";

/** What the session routes answer. */
export type SessionView =
  | { auth: "on"; key: Caller }
  | { auth: "off"; insecure: boolean; key: Caller };

/** Longest `key` a sign-in may send: the longest master key, with room. */
const MAX_KEY_LENGTH = 2048;

export function sessionRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { auth } = deps;
  const off = (): SessionView => ({ auth: "off", insecure: auth.insecure, key: ANONYMOUS });

  app.get("/session", allow("viewer"), (c) => {
    c.header("Cache-Control", "no-store");
    return c.json<SessionView>(auth.on ? { auth: "on", key: c.get("caller") } : off());
  });

  app.post("/session", allow("public"), async (c) => {
    const secret = keyField(await readJson(c, deps.bodies));
    c.header("Cache-Control", "no-store");
    if (!auth.on) return c.json<SessionView>(off());
    const caller = await auth.identify(
      { kind: "secret", secret, from: "body" },
      clientAddressOf(c),
      { requestId: requestIdOf(c) },
    );
    c.header(
      "Set-Cookie",
      sessionCookie(secret, { secure: secure(c, deps), expiresAt: caller.expiresAt }),
    );
    return c.json<SessionView>({ auth: "on", key: caller });
  });

  app.delete("/session", allow("public"), (c) => {
    c.header("Set-Cookie", clearedSessionCookie({ secure: secure(c, deps) }));
    return c.body(null, 204);
  });

  return app;
}

/** The sign-in body's `key`, or 400 naming it. */
function keyField(body: unknown): string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_request", 'Send { "key": "dq_…" }', { field: "key" });
  }
  const { key } = body as Record<string, unknown>;
  if (typeof key !== "string" || key === "" || key.length > MAX_KEY_LENGTH) {
    throw new HttpError(
      400,
      "invalid_request",
      `key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`,
      { field: "key" },
    );
  }
  return key;
}

/** Whether the cookie must say `Secure`: the request came over HTTPS, or the public URL is one. */
function secure(c: Context, deps: AppDeps): boolean {
  return deps.secureCookies || c.req.url.startsWith("https:");
}
