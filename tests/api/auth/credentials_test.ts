import assert from "node:assert/strict";
import {
  clearedSessionCookie,
  presentedKey,
  sessionCookie,
} from "../../../api/auth/credentials.ts";

Deno.test("presentedKey() reads a Bearer token, else the session cookie, else nothing", () => {
  const cases: [Record<string, string>, ReturnType<typeof presentedKey>][] = [
    [{}, { kind: "none" }],
    [{ authorization: "Bearer dq_a" }, { kind: "secret", secret: "dq_a", from: "header" }],
    [{ authorization: "bearer  dq_a " }, { kind: "secret", secret: "dq_a", from: "header" }],
    [{ authorization: "Basic eDp5" }, { kind: "malformed" }],
    [{ authorization: "Bearer" }, { kind: "malformed" }],
    [{ authorization: "Bearer a b" }, { kind: "malformed" }],
    [{ cookie: "x=1; denoqueue_session=dq_c; y=2" }, {
      kind: "secret",
      secret: "dq_c",
      from: "cookie",
    }],
    [{ cookie: "denoqueue_session=" }, { kind: "none" }],
    [{ cookie: "other_denoqueue_session=dq_c" }, { kind: "none" }],
  ];
  for (const [headers, expected] of cases) {
    assert.deepEqual(presentedKey(new Headers(headers)), expected, JSON.stringify(headers));
  }
});

Deno.test("sessionCookie() and clearedSessionCookie() write the cookie's attributes", () => {
  assert.equal(
    sessionCookie("dq_a", { secure: false }),
    "denoqueue_session=dq_a; HttpOnly; SameSite=Strict; Path=/",
  );
  assert.equal(
    sessionCookie("dq_a", {
      secure: true,
      expiresAt: "2030-01-01T00:01:00.000Z",
      now: Date.UTC(2030, 0, 1),
    }),
    "denoqueue_session=dq_a; HttpOnly; SameSite=Strict; Path=/; Secure; Max-Age=60",
  );
  assert.equal(
    clearedSessionCookie({ secure: true }),
    "denoqueue_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure",
  );
});

Deno.test('a master key with ; , " or \\ goes into the session cookie and comes back whole', () => {
  const secret = 'abc;def,ghi"jkl\\mno%20pqr';
  const cookie = sessionCookie(secret, { secure: false });
  const value = cookie.split("; ")[0].slice("denoqueue_session=".length);
  assert.doesNotMatch(value, /[;,"\\\s]/, "a cookie value holds none of them");
  const headers = new Headers({ cookie: `other=1; denoqueue_session=${value}` });
  assert.deepEqual(presentedKey(headers), { kind: "secret", secret, from: "cookie" });
  assert.deepEqual(presentedKey(new Headers({ cookie: "denoqueue_session=%E0%A4%A" })), {
    kind: "malformed",
  });
});

Deno.test("presentedKey() reads the cookie only without an Origin or from an own one; the header from any", () => {
  const own = (origin: string) => origin === "http://127.0.0.1:8080";
  const cookie = "denoqueue_session=dq_c";
  const read = (headers: Record<string, string>, ownOrigin?: (origin: string) => boolean) =>
    presentedKey(new Headers(headers), ownOrigin);
  assert.deepEqual(read({ cookie }, own), { kind: "secret", secret: "dq_c", from: "cookie" });
  assert.deepEqual(read({ cookie, origin: "http://127.0.0.1:8080" }, own), {
    kind: "secret",
    secret: "dq_c",
    from: "cookie",
  });
  assert.deepEqual(read({ cookie, origin: "http://localhost:5173" }, own), { kind: "none" });
  assert.deepEqual(read({ cookie, origin: "http://127.0.0.1:8080" }), { kind: "none" });
  assert.deepEqual(read({ authorization: "Bearer dq_h", origin: "http://localhost:5173" }, own), {
    kind: "secret",
    secret: "dq_h",
    from: "header",
  });
});
