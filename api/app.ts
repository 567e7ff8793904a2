/**
 * `createApp(deps)`: the Hono app with every route, a request id on every answer, the edge
 * guards, each route's access rule enforced, one error shape, and 503 while draining. Tests call `app.request()` on it without a socket.
 * @module
 */

import { Hono } from "hono";
import { accessLog } from "./access_log.ts";
import { authorize } from "./auth/authorize.ts";
import type { AppDeps } from "./deps.ts";
import { errorResponse, HttpError } from "./errors.ts";
import { guardEdge } from "./guards/edge.ts";
import { limitOpenRequests } from "./limits/open_requests.ts";
import { controlRoutes } from "./routes/control.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { eventRoutes } from "./routes/events.ts";
import { goQueueRoutes } from "./routes/goqueue.ts";
import { healthRoutes } from "./routes/health.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { keyRoutes } from "./routes/keys.ts";
import { nodeRoutes } from "./routes/nodes.ts";
import { requestId } from "./request_id.ts";
import { producerRoutes } from "./routes/producer.ts";
import { sessionRoutes } from "./routes/session.ts";
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
 *   edge: new EdgePolicy(),
 *   auth: new Authenticator(),
 *   connections: new KeyedConnections(),
 *   secureCookies: false,
 *   bodies: new BodyReader({ limit: 1 << 20, timeout: 10_000 }),
 *   limits: { slots: new AddressSlots({ limit: 1024, perClient: 128 }), clients: new ClientAddresses() },
 *   draining: () => false,
 *   logger,
 * });
 * const response = await app.request("/api/stats");
 * ```
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use("*", requestId());
  // Hono answers HEAD by running the GET route and dropping the body it made without
  // cancelling it: an event stream's would stay subscribed to the live feed for ever.
  app.use("*", async function headDropsBody(c, next) {
    await next();
    if (c.req.method === "HEAD") await c.res.body?.cancel();
  });
  app.use("*", limitOpenRequests({ ...deps.limits, bodies: deps.bodies }));
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
  // Each route declares who may call it (`auth/route_rule.ts`); this enforces it.
  app.use("*", authorize(deps.auth, deps.logger, deps.edge.ownOrigin));
  app.route("/", healthRoutes(deps));
  app.route("/", dashboardRoutes());
  app.route("/api", goQueueRoutes(deps));
  app.route("/api", jobRoutes(deps));
  app.route("/api", statsRoutes(deps));
  app.route("/api", nodeRoutes(deps));
  app.route("/api", eventRoutes(deps));
  app.route("/api", controlRoutes(deps));
  app.route("/api", producerRoutes(deps));
  app.route("/api", sessionRoutes(deps));
  app.route("/api", keyRoutes(deps));
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
