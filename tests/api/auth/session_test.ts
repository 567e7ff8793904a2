/**
 * The dashboard's session routes: signing in sets the key as an HttpOnly, SameSite=Strict cookie
 * that every request checks again (so revoking the key ends the session), `GET /api/session` says
 * who is signed in or that authentication is off, signing out clears the cookie.
 */

import assert from "node:assert/strict";
import { assertError, withServer } from "../../support/api_server.ts";
import { bearer, makeKey, MASTER_KEY, withCookie } from "../../support/auth.ts";

const AUTH = { masterKey: MASTER_KEY };

Deno.test("GET /api/session answers 401 unauthorized without a key, naming it missing", async () => {
  await withServer(AUTH, async (api) => {
    const details = assertError(await api.get("/api/session"), 401, "unauthorized");
    assert.equal(details.reason, "missing");
  });
});

Deno.test("POST /api/session signs in with a key: an HttpOnly, SameSite=Strict cookie that then works", async () => {
  await withServer(AUTH, async (api) => {
    const { key, secret } = await makeKey(api, "viewer", { name: "ann" });
    const signIn = await api.post<{ auth: string; key: { id: string } }>("/api/session", {
      key: secret,
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.deepEqual(signIn.body, {
      auth: "on",
      key: { id: key.id, name: "ann", role: "viewer" },
    });
    const cookie = signIn.headers.get("set-cookie") ?? "";
    assert.equal(cookie, `denoqueue_session=${secret}; HttpOnly; SameSite=Strict; Path=/`);
    const session = await api.send("GET", "/api/session", undefined, withCookie(secret));
    assert.equal(session.status, 200);
    assert.deepEqual(session.body, {
      auth: "on",
      key: { id: key.id, name: "ann", role: "viewer" },
    });
    // The cookie opens the API like the header does.
    assert.equal((await api.send("GET", "/api/stats", undefined, withCookie(secret))).status, 200);
  });
});

Deno.test("POST /api/session refuses a wrong key with 401 and sets no cookie", async () => {
  await withServer(AUTH, async (api) => {
    const answer = await api.post("/api/session", { key: "dq_0123456789abcdef_" + "A".repeat(43) });
    const details = assertError(answer, 401, "unauthorized");
    assert.equal(details.reason, "invalid");
    assert.equal(answer.headers.get("set-cookie"), null);
    assertError(await api.post("/api/session", { nope: 1 }), 400, "invalid_request");
  });
});

Deno.test("Revoking a key ends its sessions at once", async () => {
  await withServer(AUTH, async (api) => {
    const { key, secret } = await makeKey(api, "admin");
    assert.equal(
      (await api.send("GET", "/api/session", undefined, withCookie(secret))).status,
      200,
    );
    const revoked = await api.send("DELETE", `/api/keys/${key.id}`, undefined, bearer(MASTER_KEY));
    assert.equal(revoked.status, 200);
    assertError(
      await api.send("GET", "/api/session", undefined, withCookie(secret)),
      401,
      "unauthorized",
    );
  });
});

Deno.test("DELETE /api/session answers 204 and clears the cookie", async () => {
  await withServer(AUTH, async (api) => {
    const answer = await api.delete("/api/session");
    assert.equal(answer.status, 204);
    assert.equal(
      answer.headers.get("set-cookie"),
      "denoqueue_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
    );
  });
});

Deno.test("The session cookie is Secure behind an HTTPS public URL, and ends with its key's expiry", async () => {
  await withServer({ ...AUTH, publicUrl: "https://queue.example.com" }, async (api) => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { secret } = await makeKey(api, "viewer", { expiresAt });
    const signIn = await api.post("/api/session", { key: secret });
    assert.equal(signIn.status, 200);
    const cookie = signIn.headers.get("set-cookie") ?? "";
    assert.match(cookie, /; Secure; Max-Age=(\d+)$/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    assert.ok(maxAge > 3_500 && maxAge <= 3_600, cookie);
  });
});

Deno.test("GET /api/session says authentication is off without a master key: an anonymous admin", async () => {
  await withServer({}, async (api) => {
    const answer = await api.get("/api/session");
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {
      auth: "off",
      insecure: false,
      key: { id: "anonymous", name: "anonymous", role: "admin" },
    });
    const signIn = await api.post("/api/session", { key: "anything" });
    assert.equal(signIn.status, 200);
    assert.equal(signIn.headers.get("set-cookie"), null);
  });
});

Deno.test("GET /api/session says insecure with --insecure-no-auth on a public bind", async () => {
  await withServer({ host: "0.0.0.0", port: 0, insecureNoAuth: true }, async (api) => {
    const answer = await api.get<{ insecure: boolean }>("/api/session");
    assert.equal(answer.status, 200);
    assert.equal(answer.body.insecure, true);
  });
});
