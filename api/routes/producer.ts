/**
 * `GET /api/producer`: the producer WebSocket (see `../producer_socket.ts`). Browsers may open
 * WebSockets to any site, so an upgrade from an origin that is not the server's own (from its
 * configured names, never from `Host`) nor on `--cors-origins` is refused with 403 by the
 * cross-site guard in front of every route (`../guards/cross_site.ts`): a page elsewhere cannot
 * enqueue through a visitor's browser.
 * @module
 */

import { Hono } from "hono";
import { HttpError } from "../errors.ts";
import type { ProducerSockets } from "../producer_socket.ts";

export function producerRoutes(producers: ProducerSockets): Hono {
  const app = new Hono();
  app.get("/producer", (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new HttpError(
        426,
        "upgrade_required",
        "GET /api/producer is a WebSocket: connect with new WebSocket(url)",
        undefined,
        { Upgrade: "websocket" },
      );
    }
    return producers.accept(c.req.raw, c.get("requestId"));
  });
  return app;
}
