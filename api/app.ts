/**
 * `createApp(deps)`: the Hono app with every route, a request id on every answer, one error
 * shape, and 503 while draining. Tests call `app.request()` on it without a socket.
 * @module
 */

import { Hono } from "hono";
import { accessLog } from "./access_log.ts";
import type { AppDeps } from "./deps.ts";
import { errorResponse, HttpError } from "./errors.ts";
import { guardEdge } from "./guards/edge.ts";
import { controlRoutes } from "./routes/control.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { eventRoutes } from "./routes/events.ts";
import { goQueueRoutes } from "./routes/goqueue.ts";
import { healthRoutes } from "./routes/health.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { requestId } from "./request_id.ts";
import { producerRoutes } from "./routes/producer.ts";
import { statsRoutes } from "./routes/stats.ts";

/**
 * @example
 * ```ts ignore
 * const app = createApp({
 *   queue,
 *   pool,
 *   feed,
 *   producers,
 *   bodyLimit: 1 << 20,
 *   edge: new EdgePolicy(),
 *   draining: () => false,
 *   logger,
 * });
 * const response = await app.request("/api/stats");
 * ```
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use("*", requestId());
  // Installed only when written: at the default level a request pays nothing for it.
  if (deps.logger.enabled("debug")) app.use("*", accessLog(deps.logger));
  guardEdge(app, deps.edge);
  app.use("*", async (c, next) => {
    if (deps.draining() && c.req.path !== "/healthz") {
      throw new HttpError(503, "shutting_down", "The service is shutting down", undefined, {
        "Retry-After": "5",
      });
    }
    await next();
  });
  app.route("/", healthRoutes(deps));
  app.route("/", dashboardRoutes());
  app.route("/api", goQueueRoutes(deps));
  app.route("/api", jobRoutes(deps));
  app.route("/api", statsRoutes(deps));
  app.route("/api", eventRoutes(deps.feed));
  app.route("/api", controlRoutes(deps));
  app.route("/api", producerRoutes(deps.producers));
  app.notFound((c) =>
    errorResponse(
      c,
      new HttpError(404, "not_found", `No route for ${c.req.method} ${c.req.path}`),
      deps.logger,
    )
  );
  app.onError((error, c) => errorResponse(c, error, deps.logger));
  return app;
}
