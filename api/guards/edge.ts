/**
 * The guards in front of every route, in order: security headers on every answer, the Host
 * check (421), CORS for listed origins, and the cross-site guard (403).
 * @module
 */

import type { Hono } from "hono";
import { parseOrigin } from "./addresses.ts";
import { corsFor } from "./cors.ts";
import { crossSiteGuard } from "./cross_site.ts";
import { hostCheck } from "./host_check.ts";
import { OwnNames, type OwnNamesOptions } from "./own_names.ts";
import { securityHeaders } from "./security_headers.ts";

/** What the edge is configured with: the server's names, and the origins CORS lets in. */
export interface EdgeOptions extends OwnNamesOptions {
  /** Origins of browser apps that may call the API (`--cors-origins`), e.g. `https://app.example`. */
  corsOrigins?: readonly string[];
}

/**
 * The server's own names and the CORS allow-list, which the guards check requests against.
 *
 * @example
 * ```ts
 * import { EdgePolicy } from "./edge.ts";
 * const edge = new EdgePolicy({ corsOrigins: ["https://app.example"] });
 * edge.names.listening(8080);
 * ```
 */
export class EdgePolicy {
  readonly names: OwnNames;
  /** Normalised origins (`https://app.example`, no default port). */
  readonly corsOrigins: ReadonlySet<string>;

  /** Whether `origin` is one of the server's own (`OwnNames.isOwnOrigin`), as a function. */
  readonly ownOrigin = (origin: string): boolean => this.names.isOwnOrigin(origin);

  constructor(options: EdgeOptions = {}) {
    this.names = new OwnNames(options);
    this.corsOrigins = new Set((options.corsOrigins ?? []).map((text) => {
      const origin = parseOrigin(text);
      if (origin === undefined) throw new TypeError(`Not an http(s) origin: ${text}`);
      return origin;
    }));
  }
}

/** Puts the guards of `edge` in front of every route of `app` (call before adding routes). */
export function guardEdge(app: Hono, edge: EdgePolicy): void {
  app.use("*", securityHeaders());
  app.use("*", hostCheck(edge.names));
  if (edge.corsOrigins.size > 0) app.use("/api/*", corsFor(edge.corsOrigins));
  app.use("*", crossSiteGuard(edge.names, edge.corsOrigins));
}
