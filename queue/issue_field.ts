/**
 * Names the field a schema refused: the one rule that turns a zod issue into the dotted `field`
 * of a `ValidationError` or an API error, so that every schema's errors read alike.
 * @module
 */

import type { z } from "zod";

/** One problem a schema found, as zod reports it. */
export type SchemaIssue = z.core.$ZodIssue;

/**
 * The dotted path of the field `issue` is about, under `base` (e.g. `[3].options`). An unknown key
 * is named itself (its first one, when an object has several), not the object that holds it. The
 * issue's own path is joined to `base` with dots; with no path and no base the result is `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { issueField } from "./issue_field.ts";
 *
 * const schema = z.strictObject({ backoff: z.strictObject({ base: z.number() }) });
 * const bad = schema.safeParse({ backoff: { base: 1, bass: 2 } });
 * if (bad.success) throw new Error("expected a refusal");
 * assert.equal(issueField(bad.error.issues[0], "options"), "options.backoff.bass");
 * ```
 */
export function issueField(issue: SchemaIssue, base = ""): string {
  const keys = issue.code === "unrecognized_keys" ? issue.keys.slice(0, 1) : [];
  const path = [...issue.path.map(String), ...keys];
  return base === "" ? path.join(".") : [base, ...path].join(".");
}

/** The field a schema refused first, and why. */
export interface FailingField {
  /** The dotted path, as {@linkcode issueField} names it. */
  readonly field: string;
  /** The schema's message for that field. */
  readonly message: string;
}

/**
 * The first issue of a zod error: the field it names (under `base`) and its message, which is
 * what a refusal reports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { failingField } from "./issue_field.ts";
 *
 * const bad = z.object({ ms: z.number() }).safeParse({ ms: "soon" });
 * if (bad.success) throw new Error("expected a refusal");
 * assert.equal(failingField(bad.error, "payload").field, "payload.ms");
 * ```
 */
export function failingField(error: z.ZodError, base = ""): FailingField {
  const issue = error.issues[0];
  return { field: issueField(issue, base), message: issue.message };
}
