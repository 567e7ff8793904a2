/**
 * The event stream with authentication on: viewers and above, the key checked at connect, and a
 * stream whose key is revoked ended with an `auth-ended` event (at once through this process,
 * within the recheck when revoked elsewhere).
 */

import assert from "node:assert/strict";
import { ApiKeys } from "../../../queue/keys/api_keys.ts";
import { assertError, withServer } from "../../support/api_server.ts";
import { bearer, makeKey, MASTER_KEY, withCookie } from "../../support/auth.ts";
import { within } from "../../support/wait.ts";

/** Reads `body` to its end (it must end), as text. */
function readToEnd(body: ReadableStream<Uint8Array> | null): Promise<string> {
  return within(new Response(body).text(), "the stream to end");
}

Deno.test("GET /api/events needs a key: 401 without one, a stream for a viewer's cookie", async () => {
  await withServer({ masterKey: MASTER_KEY }, async (api, server) => {
    assertError(await api.get("/api/events"), 401, "unauthorized");
    const { secret } = await makeKey(api, "viewer");
    const response = await server.app.request("/api/events", withCookie(secret));
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    await response.body?.cancel();
  });
});

Deno.test("Revoking a key ends its event streams at once with an auth-ended event", async () => {
  await withServer({ masterKey: MASTER_KEY }, async (api, server) => {
    const made = await makeKey(api, "viewer");
    const other = await makeKey(api, "viewer");
    const response = await server.app.request("/api/events", bearer(made.secret));
    const kept = await server.app.request("/api/events", bearer(other.secret));
    assert.equal(response.status, 200);
    const revoke = await api.send(
      "DELETE",
      `/api/keys/${made.key.id}`,
      undefined,
      bearer(MASTER_KEY),
    );
    assert.equal(revoke.status, 200);
    const text = await readToEnd(response.body);
    assert.match(text, /event: auth-ended\ndata: \{"reason":"The key was revoked"\}\n\n$/);
    assert.equal(server.feed.clients, 1, "the other key's stream goes on");
    await kept.body?.cancel();
  });
});

Deno.test("A key revoked by another process ends its event stream within the recheck", async () => {
  await withServer({ masterKey: MASTER_KEY, keyRecheckEvery: 50 }, async (api, server) => {
    const made = await makeKey(api, "viewer");
    const response = await server.app.request("/api/events", bearer(made.secret));
    await new ApiKeys({ store: server.queue.store }).revoke(made.key.id);
    assert.match(
      await readToEnd(response.body),
      /event: auth-ended\ndata: \{"reason":"The key is revoked"\}/,
    );
  });
});
