/**
 * Each handler module is described and checked in a catalog worker of its own, and what a
 * worker says is checked before it is believed: a module that bends its description (claiming
 * a built-in type with more permissions) stops start-up; one that bends the payloads its
 * worker checks reaches only its own types, never another module's.
 */

import assert from "node:assert/strict";
import { HandlerLoadError } from "../../queue/handlers/module_loader.ts";
import { startCatalogs } from "../../queue/pool/module_catalogs.ts";
import { captureLog } from "../support/log_capture.ts";

const fixture = (name: string) => new URL(`../fixtures/sandbox/${name}`, import.meta.url).href;
const DESCRIPTION_BENDER = fixture("description_bender.ts");
const PAYLOAD_BENDER = fixture("payload_bender.ts");
const SCHEMAS = fixture("schemas.ts");

Deno.test("A module that describes a built-in type as its own stops start-up, naming it", async () => {
  const path = decodeURIComponent(new URL(DESCRIPTION_BENDER).pathname);
  await assert.rejects(
    startCatalogs({ modules: [SCHEMAS, DESCRIPTION_BENDER], logger: captureLog().logger }),
    HandlerLoadError,
    `The handler module ${path} defines the job type "http", which is built in: choose another name`,
  );
});

Deno.test("A module that rewrites the payloads its worker checks reaches only its own types", async () => {
  const catalogs = await startCatalogs({
    modules: [PAYLOAD_BENDER, SCHEMAS],
    logger: captureLog().logger,
  });
  try {
    const [own, other] = await catalogs.types.check([
      { type: "s-payload-bender", payload: {}, prefix: "" },
      { type: "c-parsed", payload: { to: "Ada@Example.COM" }, prefix: "" },
    ]);
    assert.deepEqual(own, { ok: true, payload: { bent: true } });
    assert.deepEqual(other, { ok: true, payload: { to: "ada@example.com", count: 3 } });
  } finally {
    catalogs.close();
  }
});
