/**
 * `GET /api/producer`: the producer WebSocket (see `../producer_socket.ts`). Browsers may open
 * WebSockets to any site, so an upgrade from an origin that is not the server's own (from its
 * configured names, never from `Host`) nor on `--cors-origins` is refused with 403 by the
 * cross-site guard in front of every route (`../guards/cross_site.ts`): a page elsewhere cannot
 * enqueue through a visitor's browser. With authentication on it needs a producer key, on the
 * upgrade (header or session cookie) or as the socket's first message.
 * @module
 */

import { Hono } from "hono";
import type { Caller } from "../auth/authenticator.ts";
import { presentedKey } from "../auth/credentials.ts";
import { allow } from "../auth/route_rule.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { clientAddressOf } from "../limits/client_address.ts";

export function producerRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/producer", allow("producer", { keyInMessage: true }), (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new HttpError(
        426,
        "upgrade_required",
        "GET /api/producer is a WebSocket: connect with new WebSocket(url)",
        undefined,
        { Upgrade: "websocket" },
      );
    }
    const presented = presentedKey(c.req.raw.headers, deps.edge.ownOrigin);
    return deps.producers.accept(c.req.raw, {
      // Absent when the key is to come as the first message.
      caller: c.get("caller") as Caller | undefined,
      secret: presented.kind === "secret" ? presented.secret : undefined,
      client: clientAddressOf(c),
      requestId: c.get("requestId"),
    });
  });
  return app;
}
