/**
 * CORS for browser apps on other origins that the operator lists (`--cors-origins`): they may
 * call the API and read its answers. Preflights (`OPTIONS` with
 * `Access-Control-Request-Method`) are answered here; other origins get no CORS headers, so
 * their browsers keep the answers from them.
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { isUpgrade } from "./cross_site.ts";
import { parseOrigin } from "./addresses.ts";

/** Answer headers an allowed app may read: paging, backoff, and what the server applied. */
const EXPOSED = ["Link", "Retry-After", "Preference-Applied"];

/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/**
 * The CORS middleware for `origins` (exact, normalised origins): `hono/cors` for a request
 * from one of them; for any other, only `Vary: Origin` on the answer (so a cache keeps the
 * two apart) and no preflight answer (404, which the browser takes as a refusal). WebSocket
 * upgrades pass untouched: CORS does not apply to them, and the cross-site guard checks their
 * origin.
 */
export function corsFor(origins: ReadonlySet<string>): MiddlewareHandler {
  const middleware = cors({
    origin: (origin) => origin,
    allowMethods: ["GET", "HEAD", "POST", "DELETE"],
    exposeHeaders: EXPOSED,
    maxAge: PREFLIGHT_MAX_AGE,
  });
  return async (c, next) => {
    if (isUpgrade(c.req.raw)) return await next();
    const origin = c.req.header("origin");
    if (origin !== undefined && (origins.has(origin) || origins.has(parseOrigin(origin) ?? ""))) {
      return await middleware(c, next);
    }
    await next();
    c.res.headers.append("Vary", "Origin");
  };
}
