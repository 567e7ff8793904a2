/**
 * The catalog worker: it describes the modules' types from a worker with no permissions, and
 * checks their payloads there with the schema's full fidelity; a check that hangs or ends the
 * worker refuses that payload, and the next check runs on a new worker.
 */

import assert from "node:assert/strict";
import { ValidationError } from "../../queue/errors.ts";
import type { PayloadResult } from "../../queue/handlers/job_types.ts";
import { type ModuleCatalogs, startCatalogs } from "../../queue/pool/module_catalogs.ts";
import { captureLog } from "../support/log_capture.ts";

const SCHEMAS = new URL("../fixtures/sandbox/schemas.ts", import.meta.url).href;

async function withCatalog(
  body: (catalogs: ModuleCatalogs) => void | Promise<void>,
): Promise<void> {
  const log = captureLog();
  const started = await startCatalogs({
    modules: [SCHEMAS],
    checkTimeout: 300,
    logger: log.logger,
  });
  try {
    await body(started);
  } finally {
    started.close();
  }
}

function refusal(result: PayloadResult): ValidationError {
  assert.ok(!result.ok, "refused");
  assert.ok(result.error instanceof ValidationError);
  return result.error;
}

Deno.test("CatalogWorker describes the modules' types, with their permissions, beside the built-ins", async () => {
  await withCatalog(({ types }) => {
    assert.ok(types.types().includes("noop") && types.types().includes("c-parsed"));
    const parsed = types.describe().find((type) => type.type === "c-parsed");
    assert.equal(parsed?.description, "Lower-cases its address and fills in a count");
    assert.deepEqual(parsed?.permissions, { net: ["smtp.example.com:587"] });
    assert.equal(types.policy("c-parsed").maxAttempts, 3);
    const sandbox = types.sandboxes().find((one) => one.types.includes("c-parsed"));
    assert.deepEqual(sandbox?.modules, [SCHEMAS]);
    assert.deepEqual(
      types.sandboxes().find((one) => one.types.includes("c-hangs"))?.types,
      types.sandboxes().find((one) => one.types.includes("noop"))?.types,
      "types that declare nothing share the built-ins' sandbox",
    );
  });
});

Deno.test("CatalogWorker checks payloads as the schema parses them, naming the bad field", async () => {
  await withCatalog(async ({ types }) => {
    const results = await types.check([
      { type: "c-parsed", payload: { to: "Ada@Example.COM" }, prefix: "[0]." },
      { type: "c-parsed", payload: { to: 5 }, prefix: "[1]." },
      { type: "noop", payload: { any: 1 }, prefix: "[2]." },
      { type: "nope", payload: {}, prefix: "[3]." },
    ]);
    assert.deepEqual(results[0], { ok: true, payload: { to: "ada@example.com", count: 3 } });
    const bad = refusal(results[1]);
    assert.equal(bad.code, "invalid_payload");
    assert.equal(bad.field, "[1].payload.to");
    assert.deepEqual(results[2], { ok: true, payload: { any: 1 } });
    assert.equal(refusal(results[3]).code, "unknown_type");
  });
});

Deno.test("CatalogWorker refuses a payload whose check hangs or ends the worker, then checks on", async () => {
  await withCatalog(async ({ types }) => {
    const [hung] = await types.check([{ type: "c-hangs", payload: { hang: true }, prefix: "" }]);
    assert.match(
      refusal(hung).message,
      /^Invalid payload for c-hangs: payload: its check did not finish \(a payload check did not finish within 300 ms\)$/,
    );
    const [ended] = await types.check([{ type: "c-exits", payload: { exit: true }, prefix: "" }]);
    assert.match(
      refusal(ended).message,
      /^Invalid payload for c-exits: payload: its check did not finish \(a handler exited with code 3/,
    );
    // A new worker answers the next checks.
    const after = await types.check([
      { type: "c-hangs", payload: { hang: false }, prefix: "" },
      { type: "c-exits", payload: { exit: false }, prefix: "" },
    ]);
    assert.deepEqual(after.map((result) => result.ok), [true, true]);
  });
});

Deno.test("CatalogWorker runs a schema's own code with no permissions: a refinement reading the environment is refused", async () => {
  await withCatalog(async ({ types }) => {
    const [result] = await types.check([{ type: "c-reads-env", payload: {}, prefix: "" }]);
    assert.match(
      refusal(result).message,
      /^Invalid payload for c-reads-env: payload: its schema threw NotCapable: Requires env access to "HOME"/,
    );
  });
});
