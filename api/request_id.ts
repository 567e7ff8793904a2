/**
 * The request id: every request gets one, the client's `X-Request-Id` when it sent a sane one,
 * else a new UUID. It is on every answer's `X-Request-Id`, in error answers and in the request's
 * log lines, so a client's report and the server's log can be matched.
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";

/** The header that carries the id both ways. */
export const REQUEST_ID_HEADER = "X-Request-Id";

/** At most 200 printable ASCII characters, no spaces: safe to echo in a header and a log. */
const SANE = /^[\x21-\x7e]{1,200}$/;

declare module "hono" {
  interface ContextVariableMap {
    /** This request's id (see `api/request_id.ts`). */
    requestId: string;
  }
}

/**
 * Middleware that gives the request its id; put it first, so that every answer carries it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { requestId } from "./request_id.ts";
 * const app = new Hono();
 * app.use("*", requestId());
 * app.get("/", (c) => c.text(c.get("requestId")));
 * const answer = await app.request("/", { headers: { "X-Request-Id": "abc-123" } });
 * assert.equal(answer.headers.get("X-Request-Id"), "abc-123");
 * ```
 */
export function requestId(): MiddlewareHandler {
  return async function requestId(c, next) {
    const sent = c.req.header(REQUEST_ID_HEADER);
    const id = sent !== undefined && SANE.test(sent) ? sent : crypto.randomUUID();
    c.set("requestId", id);
    c.header(REQUEST_ID_HEADER, id);
    await next();
    // An answer built as a bare `Response` (the event stream) did not take the header above.
    if (c.res.status !== 101 && !c.res.headers.has(REQUEST_ID_HEADER)) {
      c.res.headers.set(REQUEST_ID_HEADER, id);
    }
  };
}

/** The request's id, once {@linkcode requestId} has run. */
export function requestIdOf(c: Context): string | undefined {
  return c.get("requestId");
}
