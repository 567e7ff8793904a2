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

const ENTRIES = Object.entries(SECURITY_HEADERS);

/**
 * Adds {@linkcode SECURITY_HEADERS} to every answer the app makes (`c.json`, `c.body`, errors
 * and refusals included). They are set before the answer exists, so that it is made with them:
 * changing a `Response`'s headers afterwards costs Deno.serve several µs a request. A route
 * that returns a `Response` of its own (the event stream) adds them itself.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    for (const [name, value] of ENTRIES) c.header(name, value);
    await next();
  };
}
