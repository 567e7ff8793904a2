/**
 * The access log: one `debug` line per answered request (method, path, status, time taken,
 * request id). `createApp` installs it only when debug lines are written, so at the default
 * level it costs nothing.
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { Logger } from "../queue/primitives/logger.ts";

/**
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { accessLog } from "./access_log.ts";
 * import { Logger } from "../queue/primitives/logger.ts";
 * const app = new Hono();
 * app.use("*", accessLog(new Logger({ level: "debug" })));
 * ```
 */
export function accessLog(logger: Logger): MiddlewareHandler {
  return async function accessLog(c, next) {
    const start = performance.now();
    await next();
    const { method, path } = c.req;
    const status = c.res.status;
    logger.debug(`${method} ${path} ${status}`, {
      requestId: c.get("requestId"),
      method,
      path,
      status,
      ms: Math.round((performance.now() - start) * 10) / 10,
    });
  };
}
