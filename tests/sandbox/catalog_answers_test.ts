/**
 * The catalog worker answers the main thread, and handler code shares its realm: whatever it
 * makes the catalog send (not a list, too few answers, a payload JSON cannot store), the server
 * refuses that payload with a 400 and keeps serving; it never crashes on it.
 */

import assert from "node:assert/strict";
import { assertError, withListening } from "../support/api_server.ts";

const FORGER = new URL("../fixtures/sandbox/catalog_forger.ts", import.meta.url).href;

Deno.test({
  name: "The catalog worker's answers: a forged one is refused, the server keeps serving",
  fn: async () => {
    for (const type of ["s-forges-check", "s-drops-answers"]) {
      await withListening({ handlers: [FORGER] }, async (_url, api) => {
        await api.enqueue(type, {}); // Its refinement patches the catalog's registry.
        const forged = await api.post("/api/jobs", { type, payload: {} });
        assertError(forged, 400, "invalid_payload");
        assert.match(
          (forged.body as { error: { message: string } }).error.message,
          /its check did not finish \(the catalog worker sent an answer the server cannot read/,
        );
        // A new catalog worker answers the next check, and the server still serves.
        await api.enqueue(type, {});
        assert.equal((await api.get("/healthz")).status, 200);
      });
    }
  },
});

Deno.test({
  name: "A payload its schema parses into what JSON cannot store is refused with a 400",
  fn: async () => {
    await withListening({ handlers: [FORGER] }, async (_url, api) => {
      const answer = await api.post("/api/jobs", { type: "s-bigint-payload", payload: { n: 7 } });
      assertError(answer, 400, "invalid_payload");
      assert.match(
        (answer.body as { error: { message: string } }).error.message,
        /^Invalid payload for s-bigint-payload: payload: as its schema parses it, it cannot be stored as JSON \(.*BigInt/,
      );
      assert.equal((await api.jobs()).length, 0);
    });
  },
});
