/**
 * HandlerRegistry.validate: payloads refused with the field named as everywhere else; and the
 * handlers a module exports, found by their brand whichever copy of the library made them.
 */

import assert from "node:assert/strict";
import { z } from "zod";
import { ValidationError } from "../../queue/errors.ts";
import { defineHandler } from "../../queue/handlers/define.ts";
import { HandlerRegistry, handlersFromModule } from "../../queue/handlers/registry.ts";

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

Deno.test("handlersFromModule() finds handlers made by another copy of defineHandler", () => {
  // What another copy's defineHandler returns: the spec and the brand, a registered symbol.
  const foreign = {
    type: "t-foreign",
    payload: z.unknown(),
    run: () => null,
    [Symbol.for("denoqueue.handler")]: true,
  };
  assert.deepEqual(handlersFromModule({ foreign, list: [strict] }, "mine.ts"), [foreign, strict]);
  assert.throws(
    () => handlersFromModule({ plain: { type: "t-plain", run: () => null } }, "mine.ts"),
    /^TypeError: Handler module mine.ts exports no handler/,
  );
});
