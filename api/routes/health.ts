/**
 * `GET /healthz` (the process answers) and `GET /readyz` (it takes work).
 * @module
 */

import { Hono } from "hono";
import { allow } from "../auth/route_rule.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";

export function healthRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/healthz", allow("public"), (c) => c.json({ status: "ok" }));
  app.get("/readyz", allow("public"), (c) => {
    const pool = deps.pool.stats();
    if (deps.queue.closed || pool.size === 0) {
      throw new HttpError(503, "not_ready", "The service is not taking work");
    }
    return c.json({ status: "ready", workers: pool.size });
  });
  return app;
}
