/**
 * The role matrix, generated from the app's route table: every route × {no key, viewer, producer,
 * admin, revoked, expired} → the status its rule implies (401, 403, or an answer that is not an
 * authentication refusal), and for every refused request, the state it would have changed (jobs,
 * keys, the pool's pause) checked equal before and after. A new route is in the matrix as soon as
 * it is defined; one defined without a rule fails the first test.
 */

import assert from "node:assert/strict";
import { routeTable } from "../../../api/auth/route_rule.ts";
import type { DenoQueueServer } from "../../../api/server.ts";
import type { Role } from "../../../queue/keys/api_key.ts";
import { newKeyToken } from "../../../queue/keys/key_token.ts";
import { digestSecret } from "../../../queue/keys/secret_digest.ts";
import { MemoryStore } from "../../../queue/store/memory/memory_store.ts";
import { type ApiClient, assertErrorShape, withServer } from "../../support/api_server.ts";
import { bearer, makeKey, MASTER_KEY } from "../../support/auth.ts";

type CallerName = "no key" | Role | "revoked" | "expired";
const CALLERS: CallerName[] = ["no key", "viewer", "producer", "admin", "revoked", "expired"];

/** A job that never runs during the test (an hour's delay), so the state stays still. */
const STILL_JOB = { type: "noop", payload: null, options: { delay: 3_600_000 } };

/** What a request to each route sends; ids are filled in per request. */
const BODIES: Record<string, (secret: string) => unknown> = {
  "POST /api/enqueue": () => STILL_JOB,
  "POST /api/jobs": () => STILL_JOB,
  "POST /api/keys": () => ({ name: "made in the matrix", role: "viewer" }),
  "POST /api/session": (secret) => ({ key: secret }),
};

Deno.test("Every route of the app declares an access rule beside its definition", async () => {
  await withServer({ masterKey: MASTER_KEY }, (_api, server) => {
    const table = routeTable(server.app);
    assert.ok(table.length >= 20, `only ${table.length} routes`);
    const missing = table.filter((route) => route.rule === undefined)
      .map((route) => `${route.method} ${route.path}`);
    assert.deepEqual(missing, [], "routes without a rule");
    return Promise.resolve();
  });
});

/**
 * Who may call each API route, as issue 14 sets the roles: producers enqueue, read and cancel;
 * viewers read; the rest is for admins. Written out here so that changing a rule is a decision.
 */
const API_ACCESS: Record<string, string> = {
  "GET /healthz": "public",
  "GET /readyz": "public",
  "POST /api/enqueue": "producer",
  "POST /api/clear": "admin",
  "POST /api/jobs": "producer",
  "POST /api/jobs/retry-all": "admin",
  "GET /api/jobs": "viewer",
  "GET /api/jobs/:id": "viewer",
  "DELETE /api/jobs/:id": "admin",
  "POST /api/jobs/:id/cancel": "producer",
  "POST /api/jobs/:id/retry": "admin",
  "GET /api/stats": "viewer",
  "GET /api/types": "viewer",
  "GET /api/nodes": "viewer",
  "GET /api/events": "viewer",
  "POST /api/queue/pause": "admin",
  "POST /api/queue/resume": "admin",
  "GET /api/producer": "producer",
  "GET /api/session": "viewer",
  "POST /api/session": "public",
  "DELETE /api/session": "public",
  "POST /api/keys": "admin",
  "GET /api/keys": "admin",
  "DELETE /api/keys/:id": "admin",
};

Deno.test("The rules give each role what issue 14 says, and the dashboard's files to anyone", async () => {
  await withServer({ masterKey: MASTER_KEY }, (_api, server) => {
    const table = routeTable(server.app);
    const declared = Object.fromEntries(
      table.filter((route) => route.path.startsWith("/api/") || route.path.endsWith("z"))
        .map((route) => [`${route.method} ${route.path}`, route.rule?.access]),
    );
    assert.deepEqual(declared, API_ACCESS);
    const files = table.filter((route) => !(`${route.method} ${route.path}` in API_ACCESS));
    assert.ok(files.some((route) => route.path === "/"), "the dashboard page");
    for (const file of files) {
      assert.equal(file.method, "GET", file.path);
      assert.equal(file.rule?.access, "public", file.path);
    }
    return Promise.resolve();
  });
});

Deno.test("Role matrix: every route × every kind of caller, and a refused request changes nothing", async () => {
  const store = new MemoryStore();
  await withServer({
    store,
    masterKey: MASTER_KEY,
    // Hundreds of refusals come from one (in-process) address here: no rate limit in the way.
    authFailures: { limit: 100_000 },
  }, async (api, server) => {
    const secrets = await callerSecrets(api, store);
    let cells = 0;
    const wrong: string[] = [];
    for (const route of routeTable(server.app)) {
      const rule = route.rule!;
      for (const caller of CALLERS) {
        const path = await concretePath(api, route.path);
        const secret = secrets[caller];
        const before = await snapshot(api, server);
        const makeBody = BODIES[`${route.method} ${route.path}`];
        const response = await server.app.request(path, {
          method: route.method,
          headers: {
            ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
            ...(makeBody === undefined ? {} : { "content-type": "application/json" }),
          },
          body: makeBody === undefined ? undefined : JSON.stringify(makeBody(secrets.admin!)),
        });
        const expected = expectedStatus(rule.access, rule.keyInMessage ?? false, caller);
        const status = response.status;
        const text = response.headers.get("content-type")?.startsWith("text/event-stream")
          ? (await response.body?.cancel(), "")
          : await response.text();
        const cell = `${route.method} ${path} as ${caller}: ${status}`;
        cells++;
        if (expected === "through" ? [401, 403, 429].includes(status) : status !== expected) {
          wrong.push(`${cell}, expected ${expected} ${text.slice(0, 200)}`);
          continue;
        }
        if (expected !== "through") {
          assertErrorShape(JSON.parse(text));
          assert.deepEqual(await snapshot(api, server), before, `${cell} changed the state`);
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal(cells, routeTable(server.app).length * CALLERS.length);
    console.log(`role matrix: ${cells} cells, all as expected`);
  });
});

/** What `caller` must get from a route of `access`: a refusal's status, or through. */
function expectedStatus(
  access: string,
  keyInMessage: boolean,
  caller: CallerName,
): 401 | 403 | "through" {
  if (access === "public") return "through";
  if (caller === "no key") return keyInMessage ? "through" : 401;
  if (caller === "revoked" || caller === "expired") return 401;
  const rank = { viewer: 1, producer: 2, admin: 3 } as const;
  return rank[caller] >= rank[access as Role] ? "through" : 403;
}

/** A secret for each kind of caller (none for "no key"). */
async function callerSecrets(
  api: ApiClient,
  store: MemoryStore,
): Promise<Partial<Record<CallerName, string>>> {
  const secrets: Partial<Record<CallerName, string>> = {};
  for (const role of ["viewer", "producer", "admin"] as const) {
    secrets[role] = (await makeKey(api, role)).secret;
  }
  const revoked = await makeKey(api, "admin", { name: "revoked admin" });
  const revoke = await api.send(
    "DELETE",
    `/api/keys/${revoked.key.id}`,
    undefined,
    bearer(MASTER_KEY),
  );
  assert.equal(revoke.status, 200);
  secrets.revoked = revoked.secret;
  // An admin key that expired an hour ago, stored as it was made: the API refuses a past expiry.
  const { id, token } = newKeyToken();
  await store.createKey({
    id,
    name: "expired admin",
    role: "admin",
    secretHash: await digestSecret(token),
    createdAt: new Date(Date.now() - 7_200_000).toISOString(),
    expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
  });
  secrets.expired = token;
  return secrets;
}

/** `path` with its `:id` filled: a fresh waiting job for jobs, a fresh key for keys. */
async function concretePath(api: ApiClient, path: string): Promise<string> {
  if (!path.includes(":id")) return path;
  if (path.startsWith("/api/keys/")) {
    return path.replace(":id", (await makeKey(api, "viewer", { name: "a target" })).key.id);
  }
  const job = await api.post<{ id: string }>("/api/jobs", STILL_JOB, bearer(MASTER_KEY));
  assert.equal(job.status, 201);
  return path.replace(":id", job.body.id);
}

/** What a request could change: every job and its status, every key and its revocation, the pause. */
async function snapshot(api: ApiClient, server: DenoQueueServer) {
  const jobs = await server.queue.list({ limit: 100_000 });
  const keys = await api.send<{ id: string; revokedAt?: string }[]>(
    "GET",
    "/api/keys",
    undefined,
    bearer(MASTER_KEY),
  );
  assert.equal(keys.status, 200);
  return {
    jobs: jobs.map((job) => `${job.id} ${job.status}`),
    keys: keys.body.map((key) => `${key.id} ${key.revokedAt ?? "live"}`),
    paused: server.pool.stats().paused,
  };
}
