/**
 * HandlerRegistry.validate: payloads refused with the field named as everywhere else.
 */

import assert from "node:assert/strict";
import { z } from "zod";
import { ValidationError } from "../../queue/errors.ts";
import { defineHandler } from "../../queue/handlers/define.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";

const strict = defineHandler({
  type: "t-strict",
  payload: z.strictObject({ to: z.string(), cc: z.array(z.string()).optional() }),
  run: () => null,
});
const registry = new HandlerRegistry([strict]);

/** The ValidationError `validate` throws for `payload`. */
function refusal(payload: unknown, prefix = ""): ValidationError {
  try {
    registry.validate(strict.type, payload, prefix);
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error;
  }
  assert.fail("validate accepted the payload");
}

Deno.test("HandlerRegistry.validate() names the bad payload field under the prefix", () => {
  const error = refusal({ to: "a", cc: ["b", 3] }, "[2].");
  assert.equal(error.code, "invalid_payload");
  assert.equal(error.field, "[2].payload.cc.1");
  assert.match(error.message, /^Invalid payload for t-strict: \[2\]\.payload\.cc\.1: /);
});

Deno.test("HandlerRegistry.validate() names an unknown payload key as it names an unknown option", () => {
  const error = refusal({ to: "a", bcc: "c" });
  assert.equal(error.field, "payload.bcc");
});

Deno.test("HandlerRegistry.validate() lists every issue with its field", () => {
  const error = refusal({ cc: [1] });
  const issues = error.details?.issues as { field: string; message: string }[];
  assert.deepEqual(issues.map((issue) => issue.field).sort(), ["payload.cc.0", "payload.to"]);
  assert.ok(issues.every((issue) => issue.message.length > 0));
});
