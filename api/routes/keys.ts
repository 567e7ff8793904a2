/**
 * API keys, for admins: `POST /api/keys` `{ name, role, expiresAt? }` makes one and answers its
 * secret, the only time it is shown; `GET /api/keys` lists them (never a secret);
 * `DELETE /api/keys/:id` revokes one at once (on every process sharing the store, since each
 * request checks the store), and closes the producer sockets and event streams that use it, on
 * this process and (told through the store) on every other sharing it.
 * @module
 */

import { Hono } from "hono";
import type { ApiKey } from "../../queue/keys/api_key.ts";
import type { KeyRequest } from "../../queue/keys/key_request.ts";
import { allow, auditTarget } from "../auth/route_rule.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";

const FIELDS = new Set(["name", "role", "expiresAt"]);

export function keyRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.post("/keys", allow("admin", { audit: "keys.create" }), async (c) => {
    const { key, secret } = await keysOf(deps).create(
      keyRequest(await readJson(c, deps.bodies)),
    );
    auditTarget(c, `${key.id} (${JSON.stringify(key.name)}, ${key.role})`);
    c.header("Cache-Control", "no-store");
    return c.json({ key, secret }, 201);
  });

  app.get("/keys", allow("admin"), async (c) => c.json(await keysOf(deps).list()));

  app.delete("/keys/:id", allow("admin", { audit: "keys.revoke" }), async (c) => {
    const id = c.req.param("id");
    const key = await keysOf(deps).revoke(id);
    if (key === undefined) throw new HttpError(404, "not_found", `No key with id ${id}`);
    deps.connections.revoked(id);
    return c.json<ApiKey>(key);
  });

  return app;
}

/** The keys, or 409 when there are none to manage (no master key: authentication is off). */
function keysOf(deps: AppDeps) {
  const keys = deps.auth.keys;
  if (keys === undefined) {
    throw new HttpError(
      409,
      "auth_off",
      "Authentication is off: start the server with --master-key (DENOQUEUE_MASTER_KEY) to use keys",
    );
  }
  return keys;
}

/** The body of `POST /api/keys`, its fields checked by `ApiKeys.create`; unknown ones refused. */
function keyRequest(body: unknown): KeyRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_request", 'Send { "name": …, "role": …, "expiresAt"?: … }', {
      field: "name",
    });
  }
  for (const field of Object.keys(body)) {
    if (!FIELDS.has(field)) {
      throw new HttpError(
        400,
        "invalid_request",
        `Unknown field ${JSON.stringify(field)}: a key has name, role and expiresAt`,
        { field },
      );
    }
  }
  return body as KeyRequest;
}
