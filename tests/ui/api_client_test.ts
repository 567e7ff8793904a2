/**
 * The dashboard's API client around sessions: a 401 from any call reaches the
 * `onUnauthorized` listeners (so the app can show the sign-in page), the session calls' own
 * 401s do not, and `Retry-After` is read into the error. `fetch` is replaced for each test.
 */

import assert from "node:assert/strict";
import { api, ApiError, onUnauthorized, retryAfterSeconds } from "../../ui/app/api_client.ts";
import { signInProblem } from "../../ui/app/session.ts";

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** Runs `test` with `fetch` answering `answer` and recording each request. */
async function withFetch(
  answer: Answer,
  test: (requests: { method: string; url: string; body?: string }[]) => Promise<void>,
): Promise<void> {
  const original = globalThis.fetch;
  const requests: { method: string; url: string; body?: string }[] = [];
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      method: init?.method ?? "GET",
      url: String(input),
      body: typeof init?.body === "string" ? init.body : undefined,
    });
    const body = answer.body === undefined ? null : JSON.stringify(answer.body);
    return Promise.resolve(new Response(body, { status: answer.status, headers: answer.headers }));
  };
  try {
    await test(requests);
  } finally {
    globalThis.fetch = original;
  }
}

const UNAUTHORIZED: Answer = {
  status: 401,
  body: { error: { code: "unauthorized", message: "The key is invalid", requestId: "r1" } },
};

/** Listens to `onUnauthorized` during `test`; returns what it heard. */
async function heard(test: () => Promise<unknown>): Promise<ApiError[]> {
  const errors: ApiError[] = [];
  const off = onUnauthorized((error) => errors.push(error));
  try {
    await test().catch(() => {});
  } finally {
    off();
  }
  return errors;
}

Deno.test("api: a 401 from a call is told to the onUnauthorized listeners, and thrown", async () => {
  await withFetch(UNAUTHORIZED, async () => {
    const errors = await heard(async () => {
      await assert.rejects(api.clear("completed"), (error) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, 401);
        assert.equal(error.code, "unauthorized");
        return true;
      });
      await assert.rejects(api.stats());
    });
    assert.deepEqual(errors.map((error) => error.message), [
      "The key is invalid",
      "The key is invalid",
    ]);
  });
});

Deno.test("api: other errors are not told to the onUnauthorized listeners", async () => {
  const forbidden: Answer = {
    status: 403,
    body: { error: { code: "forbidden", message: "needs the admin role" } },
  };
  await withFetch(forbidden, async () => {
    assert.deepEqual(await heard(() => api.clear("completed")), []);
  });
});

Deno.test("api: the session calls' 401s are answers, not news", async () => {
  await withFetch(UNAUTHORIZED, async (requests) => {
    const errors = await heard(async () => {
      await assert.rejects(api.session(), ApiError);
      await assert.rejects(api.signIn("dq_wrong"), ApiError);
      await assert.rejects(api.signOut(), ApiError);
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.map(({ method, url }) => `${method} ${url}`), [
      "GET /api/session",
      "POST /api/session",
      "DELETE /api/session",
    ]);
    assert.deepEqual(JSON.parse(requests[1].body ?? ""), { key: "dq_wrong" });
  });
});

Deno.test("api: an unsubscribed listener hears nothing more", async () => {
  await withFetch(UNAUTHORIZED, async () => {
    const errors: ApiError[] = [];
    const off = onUnauthorized((error) => errors.push(error));
    off();
    await assert.rejects(api.stats());
    assert.deepEqual(errors, []);
  });
});

Deno.test("api: a 429 carries the Retry-After seconds, and sign-in says to wait", async () => {
  const limited: Answer = {
    status: 429,
    headers: { "retry-after": "42" },
    body: { error: { code: "too_many_attempts", message: "Too many failed attempts" } },
  };
  await withFetch(limited, async () => {
    const error = await api.signIn("dq_x").catch((error) => error);
    assert.ok(error instanceof ApiError);
    assert.equal(error.retryAfter, 42);
    const problem = signInProblem(error, 1_000);
    assert.equal(problem.until, 43_000);
    assert.match(problem.text, /Too many failed attempts/);
  });
});

Deno.test("signInProblem() says a refused key in the server's words", () => {
  const refused = new ApiError(401, "unauthorized", "The key is invalid");
  assert.deepEqual(signInProblem(refused), { text: "The key is invalid" });
  const unreachable = new ApiError(0, "network", "The server could not be reached");
  assert.deepEqual(signInProblem(unreachable), { text: "The server could not be reached" });
});

Deno.test("retryAfterSeconds() reads seconds or an HTTP date", () => {
  assert.equal(retryAfterSeconds("0"), 0);
  assert.equal(retryAfterSeconds(" 7 "), 7);
  const now = Date.parse("2030-01-01T00:00:00Z");
  assert.equal(retryAfterSeconds("Tue, 01 Jan 2030 00:00:30 GMT", now), 30);
  assert.equal(retryAfterSeconds("Mon, 31 Dec 2029 00:00:00 GMT", now), 0, "a past date");
  assert.equal(retryAfterSeconds("soon"), undefined);
  assert.equal(retryAfterSeconds(""), undefined);
  assert.equal(retryAfterSeconds(null), undefined);
});
