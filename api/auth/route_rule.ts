/**
 * Access rules declared beside each route: `app.post("/clear", allow("admin", { audit:
 * "clear" }), handler)`. The rule is data the app can list (`routeTable`), and one middleware in
 * front of every route (`authorize.ts`) reads the matched route's rule and enforces it; a route
 * that matched without a rule is treated as admin-only (fail closed), and the route-table test
 * fails for it.
 * @module
 */

import type { Context, Hono, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Role } from "../../queue/keys/api_key.ts";

/** Who may call a route: anyone (`public`), or a key with at least this role. */
export type Access = Role | "public";

/** A route's rule: who may call it, and the audit action it is logged as, if any. */
export interface RouteRule {
  access: Access;
  /** The action an audit line names (`clear`, `keys.revoke`); absent: not audited. */
  audit?: string;
  /**
   * A request without a key passes, with no caller: the route takes the key later (the producer
   * socket, from its first message, since browsers cannot set headers on a WebSocket). A key
   * presented on the request is still checked.
   */
  keyInMessage?: boolean;
}

/** Options of {@linkcode allow}: {@linkcode RouteRule}'s besides its access. */
export type RuleOptions = Omit<RouteRule, "access">;

/** The rules of the marker middlewares {@linkcode allow} made. */
const RULES = new WeakMap<object, RouteRule>();

declare module "hono" {
  interface ContextVariableMap {
    /** The audited action's target, when its handler knows better than the path's `:id`. */
    auditTarget: string;
  }
}

/**
 * The rule middleware for a route, put before its handler. It enforces nothing itself: the
 * `authorize` middleware in front of every route finds it among the matched routes, checks the
 * caller against it and, for an audited route that succeeded, writes the audit line. The marker
 * only notes the path's `:id` as the audit target, where the route's parameters are readable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { allow, routeTable } from "./route_rule.ts";
 * const app = new Hono();
 * app.post("/clear", allow("admin", { audit: "clear" }), (c) => c.json({}));
 * assert.deepEqual(routeTable(app), [
 *   { method: "POST", path: "/clear", rule: { access: "admin", audit: "clear" } },
 * ]);
 * ```
 */
export function allow(access: Access, options: RuleOptions = {}): MiddlewareHandler {
  const rule: RouteRule = { access, ...options };
  const marker: MiddlewareHandler = options.audit === undefined
    ? async function routeRule(_c, next) {
      await next();
    }
    : async function auditedRouteRule(c, next) {
      const id = c.req.param("id");
      if (id !== undefined) c.set("auditTarget", id);
      await next();
    };
  RULES.set(marker, Object.freeze(rule));
  return marker;
}

/**
 * The rule of the route `c` matched: the first marker among the matched handlers. `undefined`
 * when no route handler matched (a 404); `"missing"` when one did without a rule.
 */
export function ruleFor(c: Context): RouteRule | "missing" | undefined {
  let handled = false;
  for (const route of matchedRoutes(c)) {
    const rule = RULES.get(route.handler);
    if (rule !== undefined) return rule;
    // `use()` middleware is registered for ALL methods; a route's handler for its own.
    if (route.method !== "ALL") handled = true;
  }
  return handled ? "missing" : undefined;
}

/** One route as {@linkcode routeTable} lists it. */
export interface RouteEntry {
  method: string;
  path: string;
  /** Undefined for a route defined without a rule: the route-table test refuses it. */
  rule: RouteRule | undefined;
}

/**
 * Every route of `app` (middleware registered with `use` left out) with its rule, in the order
 * they were defined.
 */
export function routeTable(app: Hono): RouteEntry[] {
  const entries = new Map<string, RouteEntry>();
  for (const { method, path, handler } of app.routes) {
    if (method === "ALL") continue;
    const name = `${method} ${path}`;
    const entry = entries.get(name) ?? { method, path, rule: undefined };
    entry.rule ??= RULES.get(handler);
    entries.set(name, entry);
  }
  return [...entries.values()];
}

/** Names what an audited request acted on, for its audit line (default: the path's `:id`). */
export function auditTarget(c: Context, target: string): void {
  c.set("auditTarget", target);
}
