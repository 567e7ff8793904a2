/**
 * Errors of the enqueue form, each next to the field it is about: the API names the field
 * (`details.field`, e.g. `payload.ms` or `options.timeout`) and this maps it to a slot.
 * @module
 */

/// <reference lib="dom" />

import type { ApiError } from "./api_client.ts";
import { html } from "./html.ts";

/** The options the form has inputs for. */
export const OPTION_NAMES = ["maxAttempts", "timeout", "delay"] as const;

/** Field errors by where they are shown: `type`, `payload`, `options.<name>`, `options`, `form`. */
export type FieldErrors = Record<string, string[]>;

/** Which part of the form an API `details.field` belongs to. */
export function formSlot(field: string | undefined): string {
  if (field === undefined) return "form";
  if (field === "type") return "type";
  if (field === "payload" || /^payload[.[]/.test(field)) return "payload";
  for (const name of OPTION_NAMES) {
    if (field === `options.${name}` || field.startsWith(`options.${name}.`)) {
      return `options.${name}`;
    }
  }
  return field === "options" || field.startsWith("options.") ? "options" : "form";
}

/** The API's field errors of a 400, by slot; every issue when it lists several. */
export function apiFieldErrors(error: ApiError): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string | undefined, text: string) =>
    (errors[formSlot(field)] ??= []).push(text);
  if (error.issues.length > 0) {
    for (const issue of error.issues) add(issue.field, `${issue.field}: ${issue.message}`);
  } else {
    add(error.field, error.message);
  }
  return errors;
}

/** The messages for one slot, to sit right under its field. */
export function FieldError({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages || messages.length === 0) return null;
  return html`
    <div class="field-error" id=${id} data-testid=${id}>
      ${messages.map((message) => html`<p key=${message}>${message}</p>`)}
    </div>
  `;
}

/** `aria-describedby` for a field: its error (when it has one) and its help. */
export function describedBy(errors: FieldErrors, slot: string, id: string, extra?: string) {
  return [errors[slot] ? id : undefined, extra].filter(Boolean).join(" ") || undefined;
}
