/**
 * `createApp(deps)`: the Hono app with every route, one error shape, and 503 while draining.
 * Tests call `app.request()` on it without a socket.
 * @module
 */

import { Hono } from "hono";
import type { AppDeps } from "./deps.ts";
import { errorResponse, HttpError } from "./errors.ts";
import { limitOpenRequests } from "./limits/open_requests.ts";
import { controlRoutes } from "./routes/control.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { eventRoutes } from "./routes/events.ts";
import { goQueueRoutes } from "./routes/goqueue.ts";
import { healthRoutes } from "./routes/health.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { producerRoutes } from "./routes/producer.ts";
import { statsRoutes } from "./routes/stats.ts";

/**
 * Serve it as `Deno.serve((request, info) => app.fetch(request, info))`: the request limits
 * read the connection's `info` from `c.env`.
 *
 * @example
 * ```ts ignore
 * const app = createApp({
 *   queue,
 *   pool,
 *   feed,
 *   producers,
 *   bodies: new BodyReader({ limit: 1 << 20, timeout: 10_000 }),
 *   limits: { slots: new AddressSlots({ limit: 1024, perClient: 128 }), clients: new ClientAddresses() },
 *   draining: () => false,
 * });
 * const response = await app.request("/api/stats");
 * ```
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use("*", limitOpenRequests({ ...deps.limits, bodies: deps.bodies }));
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
    errorResponse(c, new HttpError(404, "not_found", `No route for ${c.req.method} ${c.req.path}`))
  );
  app.onError((error, c) => errorResponse(c, error));
  return app;
}
