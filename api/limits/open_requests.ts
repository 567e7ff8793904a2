/**
 * The cap on requests in progress, per client address and in all: the middleware in front of
 * every route. A request holds its slot from its headers until its answer is sent (an event
 * stream until it ends, a `?wait=` until it answers). `Deno.serve` shows a connection only
 * once a request's headers have arrived, so idle keep-alive connections and half-sent headers
 * hold no slot: see the README's Security section for what bounds those.
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { HttpError } from "../errors.ts";
import type { AddressSlots } from "./address_slots.ts";
import type { BodyReader } from "./body_reader.ts";
import type { ClientAddresses } from "./client_address.ts";

/** Seconds a refused client is told to wait before it tries again. */
const RETRY_AFTER_SECONDS = 1;

/** What {@linkcode limitOpenRequests} needs. */
export interface OpenRequestLimits {
  /** The slots, with `--max-requests` and `--max-requests-per-client` as caps. */
  slots: AddressSlots;
  /** Who the client is (`--trust-proxy`). */
  clients: ClientAddresses;
  /** The body reader: a small body cut off by its deadline keeps its slot until it ends. */
  bodies?: BodyReader;
}

/**
 * Resolves the client address (set as `c.var.clientAddress`) and holds one slot for the
 * request: 429 past the client's cap, 503 past the cap for all, each with `Retry-After`. The
 * slot is given back once the answer is sent, or, for a small body cut off by its deadline
 * that Deno still reads, once that ends too (see `BodyReader.lingering`).
 * Requests made in-process (`app.request()`, with no connection) are not limited. The app
 * must be served as `Deno.serve((request, info) => app.fetch(request, info))`, so `c.env` is
 * the connection's info.
 *
 * @example
 * ```ts ignore
 * app.use("*", limitOpenRequests({ slots, clients }));
 * ```
 */
export function limitOpenRequests(
  { slots, clients, bodies }: OpenRequestLimits,
): MiddlewareHandler {
  return async function limitOpenRequests(c, next) {
    const info = c.env as Deno.ServeHandlerInfo | undefined;
    const address = clients.of(c.req.raw, info);
    c.set("clientAddress", address);
    if (info?.completed === undefined) return await next();
    const refused = slots.take(address);
    if (refused !== null) throw busy(refused, address, slots);
    // Settles once the answer is sent, or rejects if the client left first: either frees it.
    const release = () => {
      const body = bodies?.lingering(c.req.raw);
      if (body === undefined) slots.release(address);
      else body.then(() => slots.release(address));
    };
    info.completed.then(release, release);
    await next();
  };
}

function busy(refused: "client" | "total", address: string, slots: AddressSlots): HttpError {
  const headers = { "Retry-After": String(RETRY_AFTER_SECONDS) };
  if (refused === "client") {
    return new HttpError(
      429,
      "too_many_requests",
      `${slots.perClient} requests from ${address} are in progress (--max-requests-per-client)`,
      { limit: slots.perClient, retryAfterSeconds: RETRY_AFTER_SECONDS },
      headers,
    );
  }
  return new HttpError(
    503,
    "server_busy",
    `${slots.limit} requests are in progress (--max-requests)`,
    { limit: slots.limit, retryAfterSeconds: RETRY_AFTER_SECONDS },
    headers,
  );
}
