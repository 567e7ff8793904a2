/**
 * `GET /api/producer`: the producer WebSocket (see `../producer_socket.ts`). Browsers may open
 * WebSockets to any site, so one that says it comes from another origin is refused: a page
 * elsewhere cannot enqueue through a visitor's browser.
 * @module
 */

import { Hono } from "hono";
import { HttpError } from "../errors.ts";
import { clientAddressOf } from "../limits/client_address.ts";
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
    const origin = c.req.header("origin");
    if (origin !== undefined && URL.parse(origin)?.host !== c.req.header("host")) {
      throw new HttpError(
        403,
        "forbidden_origin",
        `WebSockets from other origins are refused (origin ${origin})`,
      );
    }
    return producers.accept(c.req.raw, clientAddressOf(c));
  });
  return app;
}
