/**
 * The dashboard, served from memory: `GET /` and its assets, with content types, ETags and
 * cache headers. The files come from `ui/assets.gen.ts`, built by `deno task build`.
 * @module
 */

import { Hono } from "hono";
import { assets } from "../../ui/assets.gen.ts";
import { allow } from "../auth/route_rule.ts";
import { DASHBOARD_HEADERS } from "../guards/security_headers.ts";

export function dashboardRoutes(): Hono {
  const app = new Hono();
  for (const [path, asset] of Object.entries(assets)) {
    const page = path === "/";
    // The page and its scripts hold no data: they ask GET /api/session first, then sign in.
    app.get(path, allow("public"), (c) => {
      const headers: Record<string, string> = {
        "content-type": asset.type,
        "etag": asset.etag,
        // The page is revalidated each time; assets are named by version, so cached for good.
        "cache-control": page ? "no-cache" : "public, max-age=31536000, immutable",
        // The page may not be framed and runs only its own script; see guards/security_headers.
        ...(page ? DASHBOARD_HEADERS : {}),
      };
      if (c.req.header("if-none-match") === asset.etag) {
        return c.body(null, 304, headers);
      }
      return c.body(asset.body, 200, headers);
    });
  }
  return app;
}
