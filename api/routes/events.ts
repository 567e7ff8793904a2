/**
 * `GET /api/events`: the live feed as Server-Sent Events, for viewers and above. With
 * authentication on, a stream ends when its key is revoked (at once through this process, else
 * within the recheck interval) or expires, after an `auth-ended` event.
 * @module
 */

import { Hono } from "hono";
import { allow } from "../auth/route_rule.ts";
import { presentedKey } from "../auth/credentials.ts";
import { endingStream } from "../auth/ending_stream.ts";
import type { AppDeps } from "../deps.ts";
import { SECURITY_HEADERS } from "../guards/security_headers.ts";

export function eventRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/events", allow("viewer"), (c) => {
    let body = deps.feed.connect();
    const presented = presentedKey(c.req.raw.headers, deps.edge.ownOrigin);
    if (deps.auth.on && presented.kind === "secret") {
      const { id } = c.get("caller");
      body = endingStream(body, (end) => deps.connections.add(id, presented.secret, end));
    }
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
        ...SECURITY_HEADERS,
      },
    });
  });
  return app;
}
