/**
 * The Host check, against DNS rebinding: a page on `http://evil.example:8080/` whose name the
 * attacker points at 127.0.0.1 is the same origin as this server to the browser, so it could
 * read and steer everything. Its requests say `Host: evil.example:8080`; only the server's own
 * names are served, others get 421 before any route runs.
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors.ts";
import type { OwnNames } from "./own_names.ts";

/**
 * Paths served whatever the Host: health probes. Kubernetes' probes send the pod's IP as Host,
 * and these answers tell a page nothing (alive, ready, the number of workers).
 */
export const ANY_HOST_PATHS: ReadonlySet<string> = new Set(["/healthz", "/readyz"]);

/**
 * Refuses, with 421 `misdirected_request`, a request whose `Host` (or, for a request line in
 * absolute form, whose URL) is not one of `names`. The message says which flag adds a name.
 */
export function hostCheck(names: OwnNames): MiddlewareHandler {
  return async (c, next) => {
    if (!ANY_HOST_PATHS.has(c.req.path)) {
      // Deno builds the URL from the Host header, or from the request line when it is a full
      // URL; a request without Host gets the listening address. Both must be known.
      const header = c.req.header("host");
      if (header !== undefined && !names.knowsHost(header)) throw misdirected(header);
      const host = hostOf(c.req.url);
      if (host !== header && !names.knowsHost(host)) throw misdirected(host);
    }
    await next();
  };
}

/** The authority of an absolute URL as written (`http://a.example:8080/x` → `a.example:8080`). */
function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return url.slice(start, end === -1 ? undefined : end);
}

function misdirected(host: string): HttpError {
  return new HttpError(
    421,
    "misdirected_request",
    `This server does not answer to the host ${JSON.stringify(host)} (a guard against DNS ` +
      "rebinding). If that is how users reach it, start it with --allowed-hosts " +
      `${host} or with --public-url set to the URL they use`,
  );
}
