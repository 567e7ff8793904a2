/**
 * Steering the pool: `POST /api/queue/pause` stops handing out jobs (running ones finish, new
 * ones wait), `POST /api/queue/resume` starts again.
 * @module
 */

import { Hono } from "hono";
import { allow } from "../auth/route_rule.ts";
import type { AppDeps } from "../deps.ts";

export function controlRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.post("/queue/pause", allow("admin", { audit: "queue.pause" }), (c) => {
    deps.pool.pause();
    return c.json(deps.pool.stats());
  });
  app.post("/queue/resume", allow("admin", { audit: "queue.resume" }), (c) => {
    deps.pool.resume();
    return c.json(deps.pool.stats());
  });
  return app;
}
