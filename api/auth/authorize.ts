/**
 * The middleware in front of every route that checks its caller against the route's rule
 * (`route_rule.ts`): public routes pass; the others need a key (401) with a role that allows them
 * (403). A route that matched without a rule needs admin (fail closed). Audited routes that
 * succeed write an audit line naming the key. The session cookie counts only from the origins
 * `ownOrigin` says are the server's (`credentials.ts`).
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { Logger } from "../../queue/primitives/logger.ts";
import { requestIdOf } from "../request_id.ts";
import { auditLine } from "./audit.ts";
import { type Authenticator, forbidden, roleAllows } from "./authenticator.ts";
import { clientAddressOf } from "../limits/client_address.ts";
import { presentedKey } from "./credentials.ts";
import { type RouteRule, ruleFor } from "./route_rule.ts";

/** What a route defined without a rule needs: the most, so that a forgotten rule fails closed. */
const NO_RULE: RouteRule = Object.freeze({ access: "admin" });

/**
 * @example
 * ```ts ignore
 * app.use("*", authorize(authenticator, logger));
 * app.post("/api/clear", allow("admin", { audit: "clear" }), handler);
 * ```
 */
export function authorize(
  auth: Authenticator,
  logger: Logger,
  ownOrigin?: (origin: string) => boolean,
): MiddlewareHandler {
  return async function authorize(c, next) {
    const found = ruleFor(c);
    // No route matched: the 404 says nothing a key would change.
    if (found === undefined) return await next();
    const rule = found === "missing" ? NO_RULE : found;
    if (rule.access === "public") return await next();
    const presented = presentedKey(c.req.raw.headers, ownOrigin);
    if (presented.kind === "none" && rule.keyInMessage && auth.on) return await next();
    const client = clientAddressOf(c);
    const caller = await auth.identify(presented, client, { requestId: requestIdOf(c) });
    if (!roleAllows(caller.role, rule.access)) throw forbidden(caller, rule.access);
    c.set("caller", caller);
    await next();
    if (rule.audit !== undefined && c.res.status < 400) {
      auditLine(logger, {
        action: rule.audit,
        caller,
        target: c.get("auditTarget"),
        client,
        requestId: requestIdOf(c),
      });
    }
  };
}
