/**
 * API keys as the service knows them: who holds one (its name), what it may do (its role) and
 * its life (made, expires, revoked, last used). Never the secret: the store keeps a digest of it.
 * @module
 */

/** What a key may do: `admin` everything, `producer` enqueue and read, `viewer` read only. */
export type Role = "admin" | "producer" | "viewer";

/** Every role, from the most to the least allowed. */
export const ROLES: readonly Role[] = ["admin", "producer", "viewer"];

/**
 * Whether `value` names a role.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRole } from "./api_key.ts";
 * assert.ok(isRole("viewer"));
 * assert.ok(!isRole("root"));
 * ```
 */
export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/** An API key, without its secret. Times are ISO 8601 (`Date.prototype.toISOString`). */
export interface ApiKey {
  /** Public and stable: the token carries it, lists show it, a revocation names it. */
  id: string;
  /** Who or what holds it, for people and the audit log: 1 to 100 characters. */
  name: string;
  role: Role;
  createdAt: string;
  /** Past this instant the key is refused; absent: it never expires. */
  expiresAt?: string;
  /** When it was revoked; it is refused from then on. */
  revokedAt?: string;
  /** When it was last accepted, recorded at most once a minute or so (see `ApiKeys`). */
  lastUsedAt?: string;
}
