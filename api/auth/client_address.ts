/**
 * The client address failed authentications are counted against: the connection's peer as
 * `Deno.serve` passes it (`app.fetch(request, info)` makes it `c.env`), `in-process` for
 * `app.request()`. Point this at the request limits' resolved address (`--trust-proxy`) once
 * they are in, so a reverse proxy's clients are told apart.
 * @module
 */

import type { Context } from "hono";

/** The address given to requests that come with no connection (`app.request()`). */
export const NO_CONNECTION = "in-process";

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { callerAddress } from "./client_address.ts";
 * const app = new Hono();
 * app.get("/", (c) => c.text(callerAddress(c)));
 * const info = { remoteAddr: { transport: "tcp", hostname: "203.0.113.7", port: 5000 } };
 * assert.equal(await (await app.request("/", {}, info)).text(), "203.0.113.7");
 * ```
 */
export function callerAddress(c: Context): string {
  const peer = (c.env as Partial<Deno.ServeHandlerInfo> | undefined)?.remoteAddr;
  return peer !== undefined && "hostname" in peer ? peer.hostname : NO_CONNECTION;
}
