/**
 * issueField and failingField: the one rule that names the field a schema refused.
 */

import assert from "node:assert/strict";
import { z } from "zod";
import { failingField, issueField } from "../queue/issue_field.ts";

const options = z.strictObject({
  timeout: z.number().int().positive().optional(),
  backoff: z.strictObject({ base: z.number().optional() }).optional(),
});

/** The zod error `schema` raises for `value`. */
function refusal(schema: z.ZodType, value: unknown): z.ZodError {
  const parsed = schema.safeParse(value);
  assert.equal(parsed.success, false, "the schema accepted the value");
  return parsed.error!;
}

Deno.test("issueField() joins the issue's path to the base with dots", () => {
  const [issue] = refusal(options, { backoff: { base: "1s" } }).issues;
  assert.equal(issueField(issue, "[3].options"), "[3].options.backoff.base");
  assert.equal(issueField(issue), "backoff.base");
});

Deno.test("issueField() names an unknown key itself, the first of several", () => {
  const [top] = refusal(options, { delay: 1, priority: 2 }).issues;
  assert.equal(top.code, "unrecognized_keys");
  assert.equal(issueField(top, "options"), "options.delay");
  const [nested] = refusal(options, { backoff: { bass: 1 } }).issues;
  assert.equal(issueField(nested, "options"), "options.backoff.bass");
});

Deno.test("issueField() names the base, or nothing, when the whole value is wrong", () => {
  const [issue] = refusal(options, "fast").issues;
  assert.deepEqual(issue.path, []);
  assert.equal(issueField(issue, "payload"), "payload");
  assert.equal(issueField(issue), "");
});

Deno.test("issueField() writes array indexes as path parts", () => {
  const [issue] = refusal(z.object({ to: z.array(z.email()) }), { to: ["a@b.co", "x"] }).issues;
  assert.equal(issueField(issue, "payload"), "payload.to.1");
});

Deno.test("failingField() reports the first issue's field and message", () => {
  const error = refusal(options, { timeout: -1, backoff: { base: "1s" } });
  assert.equal(error.issues.length, 2);
  assert.deepEqual(failingField(error, "options"), {
    field: "options.timeout",
    message: error.issues[0].message,
  });
});
