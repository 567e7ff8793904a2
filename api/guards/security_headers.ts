/**
 * Headers on every answer that keep browsers from misreading it or leaking where it was read,
 * and those of the dashboard's page, which may not be framed (clickjacking) and runs only the
 * script and styles it is served with.
 * @module
 */

import type { MiddlewareHandler } from "hono";

/** On every answer: content types are what they say; no Referer leaves a page of ours. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * On the dashboard's page: its own script, styles and API only (the icon is a `data:` URL),
 * never inside a frame, no plugins, no `<base>`, forms post only to itself.
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-frame-options": "DENY",
};

/** Adds {@linkcode SECURITY_HEADERS} to every answer, errors included (not to a 101 upgrade). */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.status === 101) return;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  };
}
