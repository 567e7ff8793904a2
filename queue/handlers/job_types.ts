/**
 * What the queue needs to know of the job types, wherever their handlers run: names, retry
 * policies, payload checks, descriptions, and which permissions each type runs with. The
 * handler registry answers it where handler code may run (a worker, a test); the type
 * catalog answers it on the server's main thread, asking a sandboxed worker to run the checks.
 * @module
 */

import type { BackoffPolicy } from "../backoff.ts";
import type { ValidationError } from "../errors.ts";
import type { Permissions } from "./permissions.ts";

/** A type's timeout and retry policy, defaults filled in. */
export interface TypePolicy {
  readonly timeout: number;
  readonly maxAttempts: number;
  readonly backoff: Readonly<BackoffPolicy>;
}

/** What `GET /api/types` says of a type. */
export interface TypeDescription {
  type: string;
  description?: string;
  timeout: number;
  retry: { maxAttempts: number; backoff: BackoffPolicy };
  /** What its handler may use (see `HandlerPermissions`); `{}` for nothing. */
  permissions: Permissions;
  payloadSchema: unknown;
  example?: unknown;
}

/** One payload to check: its type, and the prefix of field names (`[3].` in a batch). */
export interface PayloadCheck {
  type: string;
  payload: unknown;
  prefix: string;
}

/** A checked payload: as the type's schema parses it, or why it is refused. */
export type PayloadResult =
  | { ok: true; payload: unknown }
  | { ok: false; error: ValidationError };

/** Job types that run with the same permissions, and the modules that define them. */
export interface Sandbox {
  /** Equal for equal permissions (`permissionsKey`). */
  key: string;
  permissions: Permissions;
  /** Its job types, sorted. */
  types: string[];
  /** The handler modules that define them (absolute URLs); built-ins need none. */
  modules: string[];
}

/** The job types as the queue and the pool see them. */
export interface JobTypes {
  /** Every type name, sorted. */
  types(): string[];
  /** The type's timeout and retry policy, with defaults filled in. */
  policy(type: string): TypePolicy;
  /**
   * Checks each payload against its type's schema (an unknown type is refused too), one
   * result per item, in order. Synchronous when no handler code needs to run elsewhere.
   */
  check(items: readonly PayloadCheck[]): PayloadResult[] | Promise<PayloadResult[]>;
  describe(): TypeDescription[];
  /** The types grouped by the permissions they run with. */
  sandboxes(): Sandbox[];
}
