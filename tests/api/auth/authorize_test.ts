/**
 * The authorize middleware beyond the role matrix: a route without a rule fails closed, the
 * key is read from the header before the cookie, refusals say missing or invalid and no more,
 * failures are logged without the secret and rate-limited per client address, and admin
 * actions write audit lines naming the key.
 */

import assert from "node:assert/strict";
import { Hono } from "hono";
import { Authenticator } from "../../../api/auth/authenticator.ts";
import { authorize } from "../../../api/auth/authorize.ts";
import { allow } from "../../../api/auth/route_rule.ts";
import { errorResponse } from "../../../api/errors.ts";
import { ApiKeys } from "../../../queue/keys/api_keys.ts";
import { MasterKey } from "../../../queue/keys/master_key.ts";
import { MemoryStore } from "../../../queue/store/memory/memory_store.ts";
import { assertError, withServer } from "../../support/api_server.ts";
import { bearer, makeKey, MASTER_KEY, withCookie } from "../../support/auth.ts";
import { captureLog } from "../../support/log_capture.ts";

/** A client at `address`, as `Deno.serve` would pass it (`c.env`). */
function from(address: string) {
  return { remoteAddr: { transport: "tcp", hostname: address, port: 40_000 } };
}

Deno.test("authorize() lets a route defined without a rule through to admins only (fail closed)", async () => {
  const keys = new ApiKeys({ store: new MemoryStore(), masterKey: new MasterKey(MASTER_KEY) });
  const viewer = await keys.create({ name: "v", role: "viewer" });
  const app = new Hono();
  app.use("*", authorize(new Authenticator({ keys }), captureLog().logger));
  app.get("/forgotten", (c) => c.text("reached"));
  app.get("/declared", allow("viewer"), (c) => c.text("reached"));
  app.onError((error, c) => errorResponse(c, error));
  assert.equal((await app.request("/forgotten", bearer(viewer.secret))).status, 403);
  assert.equal((await app.request("/forgotten")).status, 401);
  assert.equal(await (await app.request("/forgotten", bearer(MASTER_KEY))).text(), "reached");
  assert.equal(await (await app.request("/declared", bearer(viewer.secret))).text(), "reached");
  assert.equal((await app.request("/nowhere")).status, 404, "no route: no key asked");
});

Deno.test("A key is read from the Bearer header before the cookie; a header of another scheme is refused", async () => {
  await withServer({ masterKey: MASTER_KEY }, async (api) => {
    const viewer = await makeKey(api, "viewer");
    const both = {
      headers: { authorization: "Bearer nonsense", cookie: `denoqueue_session=${viewer.secret}` },
    };
    assertError(await api.send("GET", "/api/stats", undefined, both), 401, "unauthorized");
    assert.equal(
      (await api.send("GET", "/api/stats", undefined, withCookie(viewer.secret))).status,
      200,
    );
    const basic = { headers: { authorization: `Basic ${btoa(`x:${viewer.secret}`)}` } };
    assertError(await api.send("GET", "/api/stats", undefined, basic), 401, "unauthorized");
  });
});

Deno.test("401 says missing or invalid and no more; the log says why, with the key id and client, never the secret", async () => {
  const log = captureLog();
  await withServer({ masterKey: MASTER_KEY, logger: log.logger }, async (api) => {
    const revoked = await makeKey(api, "admin");
    await api.send("DELETE", `/api/keys/${revoked.key.id}`, undefined, bearer(MASTER_KEY));
    const wrongSecret = revoked.secret.slice(0, -4) + "AAAA";
    const answers = [
      await api.send("GET", "/api/jobs", undefined, bearer(revoked.secret)),
      await api.send("GET", "/api/jobs", undefined, bearer(wrongSecret)),
    ];
    const [revokedMessage, unknownMessage] = answers.map((answer) => {
      assertError(answer, 401, "unauthorized");
      return (answer.body as { error: { message: string } }).error.message;
    });
    assert.equal(revokedMessage, unknownMessage, "revoked and unknown look alike");
    const missing = await api.get("/api/jobs");
    assert.equal(assertError(missing, 401, "unauthorized").reason, "missing");
    const failures = log.matching(/^Authentication failed/);
    assert.deepEqual(failures.map((record) => record.fields.reason), ["revoked", "unknown"]);
    for (const record of failures) {
      assert.equal(record.level, "warn");
      assert.equal(record.fields.keyId, revoked.key.id);
      assert.equal(record.fields.client, "in-process");
      assert.equal(typeof record.fields.requestId, "string");
    }
    const written = JSON.stringify(log.records.map((record) => [record.msg, record.fields]));
    assert.ok(!written.includes(revoked.secret.slice(20)), "a secret is in the log");
    assert.ok(!written.includes(wrongSecret.slice(20)), "a presented secret is in the log");
  });
});

Deno.test("Failed authentications are limited per client address: 429 with Retry-After, even for a good key", async () => {
  await withServer(
    { masterKey: MASTER_KEY, authFailures: { limit: 3, window: 60_000 } },
    async (api, server) => {
      const admin = await makeKey(api, "admin");
      const get = (address: string, init: RequestInit = {}) =>
        server.app.request("/api/stats", init, from(address));
      // Asking without a key guesses nothing: it is not counted.
      for (let i = 0; i < 5; i++) assert.equal((await get("203.0.113.7")).status, 401);
      for (let i = 0; i < 3; i++) {
        assert.equal((await get("203.0.113.7", bearer(`wrong-${i}-guess-of-the-key`))).status, 401);
      }
      const refused = await get("203.0.113.7", bearer(admin.secret));
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get("retry-after"));
      assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      const body = await refused.json();
      assert.equal(body.error.code, "too_many_attempts");
      assert.equal(body.error.details.retryAfterSeconds, retryAfter);
      // Sign-in is limited the same way; another address is not.
      const signIn = await server.app.request("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ key: admin.secret }),
      }, from("203.0.113.7"));
      assert.equal(signIn.status, 429);
      assert.equal((await get("198.51.100.2", bearer(admin.secret))).status, 200);
    },
  );
});

Deno.test("Admin actions write audit lines naming the key, the action and its target; refused ones none", async () => {
  const log = captureLog();
  await withServer({ masterKey: MASTER_KEY, logger: log.logger }, async (api) => {
    const ops = await makeKey(api, "admin", { name: "ops on call" });
    const viewer = await makeKey(api, "viewer", { name: "wallboard" });
    const job = await api.post<{ id: string }>("/api/jobs", {
      type: "noop",
      options: { delay: 60_000 },
    }, bearer(MASTER_KEY));
    assert.equal(
      (await api.post("/api/clear?status=completed", undefined, bearer(viewer.secret))).status,
      403,
    );
    assert.equal(
      (await api.post(`/api/jobs/${job.body.id}/cancel`, undefined, bearer(ops.secret))).status,
      200,
    );
    assert.equal(
      (await api.send("DELETE", `/api/jobs/${job.body.id}`, undefined, bearer(ops.secret))).status,
      200,
    );
    assert.equal(
      (await api.post("/api/clear?status=completed", undefined, bearer(ops.secret))).status,
      200,
    );
    assert.equal((await api.post("/api/queue/pause", undefined, bearer(ops.secret))).status, 200);
    assert.equal((await api.post("/api/queue/resume", undefined, bearer(ops.secret))).status, 200);
    assert.equal(
      (await api.post("/api/jobs/retry-all", undefined, bearer(ops.secret))).status,
      200,
    );
    assert.equal(
      (await api.send("DELETE", `/api/keys/${viewer.key.id}`, undefined, bearer(ops.secret)))
        .status,
      200,
    );
    const audit = log.records.filter((record) => record.fields.audit === true);
    assert.deepEqual(
      audit.map((record) => [record.fields.action, record.fields.target, record.fields.keyName]),
      [
        ["keys.create", `${ops.key.id} ("ops on call", admin)`, "master"],
        ["keys.create", `${viewer.key.id} ("wallboard", viewer)`, "master"],
        ["jobs.cancel", job.body.id, "ops on call"],
        ["jobs.delete", job.body.id, "ops on call"],
        ["clear", "status=completed", "ops on call"],
        ["queue.pause", undefined, "ops on call"],
        ["queue.resume", undefined, "ops on call"],
        ["jobs.retry-all", "status=failed", "ops on call"],
        ["keys.revoke", viewer.key.id, "ops on call"],
      ],
    );
    for (const record of audit.slice(2)) {
      assert.equal(record.fields.keyId, ops.key.id);
      assert.equal(record.level, "info");
    }
    assert.match(audit[4].msg, /^Audit: clear status=completed by key "ops on call" \(/);
  });
});
