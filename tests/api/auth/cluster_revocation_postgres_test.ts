/**
 * A key revoked on one node is refused by every node at once: two servers on one PostgreSQL
 * schema, key checks repeated only every ten minutes here, so nothing but the news of the
 * revocation can end node B's stream opened with the key; B's next request with it is 401.
 */

import assert from "node:assert/strict";
import type { ErrorBody } from "../../../api/errors.ts";
import { bearer, makeKey, MASTER_KEY } from "../../support/auth.ts";
import { withServerPair } from "../../support/shared_schema.ts";
import { within } from "../../support/wait.ts";

const NEVER_RECHECK = { masterKey: MASTER_KEY, keyRecheckEvery: 600_000 };

async function readToEnd(body: ReadableStream<Uint8Array> | null): Promise<string> {
  let text = "";
  for await (const chunk of body!.pipeThrough(new TextDecoderStream())) text += chunk;
  return text;
}

Deno.test("A key revoked on node A ends its event stream on node B at once, and B refuses it", async () => {
  await withServerPair({ shared: NEVER_RECHECK }, async (a, b) => {
    const made = await makeKey(a.api, "viewer");
    const other = await makeKey(a.api, "viewer");
    const stream = await b.server.app.request("/api/events", bearer(made.secret));
    const kept = await b.server.app.request("/api/events", bearer(other.secret));
    assert.equal(stream.status, 200);
    assert.equal(kept.status, 200);
    const ended = readToEnd(stream.body);
    const revoke = await a.api.send(
      "DELETE",
      `/api/keys/${made.key.id}`,
      undefined,
      bearer(MASTER_KEY),
    );
    assert.equal(revoke.status, 200);
    const text = await within(ended, "node B to end the revoked key's stream", 10_000);
    assert.match(text, /event: auth-ended\ndata: \{"reason":"The key was revoked"\}\n\n$/);
    const refused = await b.api.send<ErrorBody>(
      "GET",
      "/api/stats",
      undefined,
      bearer(made.secret),
    );
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, "unauthorized");
    assert.equal(b.server.feed.clients, 1, "the other key's stream goes on");
    await kept.body?.cancel();
  });
});
