/**
 * What an admin asks for when making a key, checked: a name, a role, and perhaps an expiry.
 * Bad input is refused with a `ValidationError` naming the field, before anything is made.
 * @module
 */

import { ValidationError } from "../errors.ts";
import { isRole, type Role, ROLES } from "./api_key.ts";

/** A key to make. */
export interface KeyRequest {
  /** 1 to 100 characters, not only spaces, no control characters (it goes into the log). */
  name: string;
  role: Role;
  /** ISO 8601 date (`2031-01-01`, UTC) or date and time with its zone; in the future. */
  expiresAt?: string;
}

/** Longest name, in characters. */
export const KEY_NAME_MAX_LENGTH = 100;

// A date, or a date and time with seconds and fractions optional and a zone required: a time
// without a zone would be read in the server's zone, which nobody making the key can see.
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
// Until the year 10000: `toISOString` writes later years with a sign, which no longer sorts.
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * `request` checked, its name trimmed and its expiry in `toISOString()`'s form; throws a
 * `ValidationError` naming the first field refused. `now` is epoch ms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkKeyRequest } from "./key_request.ts";
 * const now = Date.UTC(2030, 0, 1);
 * assert.deepEqual(
 *   checkKeyRequest({ name: " ci ", role: "producer", expiresAt: "2031-01-01" }, now),
 *   { name: "ci", role: "producer", expiresAt: "2031-01-01T00:00:00.000Z" },
 * );
 * assert.throws(() => checkKeyRequest({ name: "ci", role: "root" as "admin" }, now), /role/);
 * ```
 */
export function checkKeyRequest(request: KeyRequest, now: number): KeyRequest {
  const { name, role, expiresAt } = request as { [field in keyof KeyRequest]: unknown };
  if (typeof name !== "string" || name.trim() === "") {
    throw new ValidationError("name must be a non-empty string", "name");
  }
  const trimmed = name.trim();
  if ([...trimmed].length > KEY_NAME_MAX_LENGTH) {
    throw new ValidationError(
      `name must be at most ${KEY_NAME_MAX_LENGTH} characters, received ${[...trimmed].length}`,
      "name",
    );
  }
  if (/\p{Cc}/u.test(trimmed)) {
    throw new ValidationError("name must not contain control characters", "name");
  }
  if (!isRole(role)) {
    throw new ValidationError(
      `role must be one of ${ROLES.join(", ")}, received ${JSON.stringify(role)}`,
      "role",
    );
  }
  const checked: KeyRequest = { name: trimmed, role };
  if (expiresAt !== undefined) checked.expiresAt = checkExpiry(expiresAt, now);
  return checked;
}

function checkExpiry(expiresAt: unknown, now: number): string {
  const at = typeof expiresAt === "string" && ISO_DATE.test(expiresAt) && isCalendarDate(expiresAt)
    ? Date.parse(expiresAt)
    : NaN;
  if (Number.isNaN(at) || at > LAST_INSTANT) {
    throw new ValidationError(
      `expiresAt must be an ISO 8601 date or date-time with a zone (e.g. 2031-01-01 or ` +
        `2031-01-01T12:00:00Z), received ${JSON.stringify(expiresAt)}`,
      "expiresAt",
    );
  }
  if (at <= now) {
    throw new ValidationError(
      `expiresAt must be in the future, received ${JSON.stringify(expiresAt)}`,
      "expiresAt",
    );
  }
  return new Date(at).toISOString();
}

/** Whether the date part names a day of the calendar (`Date.parse` takes 2031-02-30 as March 2). */
function isCalendarDate(iso: string): boolean {
  const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
