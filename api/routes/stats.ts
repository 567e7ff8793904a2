/**
 * `GET /api/stats` (counts, capacity, workers, throughput) and `GET /api/types`.
 * @module
 */

import { Hono } from "hono";
import { allow } from "../auth/route_rule.ts";
import type { AppDeps } from "../deps.ts";

export function statsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/stats", allow("viewer"), async (c) => {
    const stats = await deps.queue.stats();
    return c.json({ ...stats, workers: deps.pool.stats() });
  });
  app.get("/types", allow("viewer"), (c) => c.json(deps.queue.registry.describe()));
  return app;
}
