/**
 * The cross-site guard: a web page on another site may send this server requests through its
 * visitor's browser (a form post, `fetch(url, { mode: "no-cors" })`, a WebSocket) even though
 * it cannot read the answers. Every request that changes something (any method but GET, HEAD
 * and OPTIONS, and every WebSocket upgrade) is refused with 403 when the browser says it comes
 * from elsewhere, unless that origin is on the CORS allow-list. Clients that are not browsers
 * (curl, other services) send neither header and pass.
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors.ts";
import { parseOrigin } from "./addresses.ts";
import type { OwnNames } from "./own_names.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether a request asks to open a WebSocket. */
export function isUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/**
 * Refuses a state-changing request or WebSocket upgrade whose `Origin` is neither one of
 * `names`' own origins nor in `corsOrigins` (403 `forbidden_origin`), or that says
 * `Sec-Fetch-Site: cross-site` without an allowed origin (403 `cross_site_request`). The own
 * origins come from the configuration, never from the request's `Host`.
 */
export function crossSiteGuard(
  names: OwnNames,
  corsOrigins: ReadonlySet<string>,
): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) || isUpgrade(c.req.raw)) {
      const origin = c.req.header("origin");
      const allowed = origin !== undefined && corsOrigins.size > 0 &&
        (corsOrigins.has(origin) || corsOrigins.has(parseOrigin(origin) ?? ""));
      if (origin !== undefined && !allowed && !names.isOwnOrigin(origin)) {
        throw new HttpError(
          403,
          "forbidden_origin",
          `Requests that change something are refused from the origin ${origin}: it is not ` +
            "this server's (set --public-url to the URL the dashboard is opened at), and it " +
            "is not on --cors-origins",
        );
      }
      if (!allowed && c.req.header("sec-fetch-site") === "cross-site") {
        throw new HttpError(
          403,
          "cross_site_request",
          "Requests that change something are refused from other sites (Sec-Fetch-Site: " +
            "cross-site); list the calling app's origin in --cors-origins to allow it",
        );
      }
    }
    await next();
  };
}
