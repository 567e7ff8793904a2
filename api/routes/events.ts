/**
 * `GET /api/events`: the live feed as Server-Sent Events.
 * @module
 */

import { Hono } from "hono";
import { SECURITY_HEADERS } from "../guards/security_headers.ts";
import type { LiveFeed } from "../live_feed.ts";

export function eventRoutes(feed: LiveFeed): Hono {
  const app = new Hono();
  app.get("/events", () =>
    new Response(feed.connect(), {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        "x-accel-buffering": "no",
        ...SECURITY_HEADERS,
      },
    }));
  return app;
}
