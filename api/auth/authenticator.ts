/**
 * Who is calling: a presented key checked through `ApiKeys` (every time, so revocation counts at
 * once), with failures rate-limited per client address and logged without the secret. With no
 * master key, authentication is off and every caller is an anonymous admin.
 * @module
 */

import type { Role } from "../../queue/keys/api_key.ts";
import type { ApiKeys, KeyRefusal } from "../../queue/keys/api_keys.ts";
import { keyIdOf } from "../../queue/keys/key_token.ts";
import { defaultLogger, type Logger } from "../../queue/primitives/logger.ts";
import { HttpError } from "../errors.ts";
import type { Presented } from "./credentials.ts";
import { FailedAttempts } from "./failed_attempts.ts";

/** Who a request acts as: a key without its secret. */
export interface Caller {
  id: string;
  name: string;
  role: Role;
  expiresAt?: string;
}

/** The caller when authentication is off. */
export const ANONYMOUS: Caller = Object.freeze({
  id: "anonymous",
  name: "anonymous",
  role: "admin",
});

declare module "hono" {
  interface ContextVariableMap {
    /** Who the request acts as, once `authorize` let it through a route that needs a key. */
    caller: Caller;
  }
}

const RANK: Record<Role, number> = { viewer: 1, producer: 2, admin: 3 };

/**
 * Whether `role` may do what `needed` may: admin ⊇ producer ⊇ viewer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { roleAllows } from "./authenticator.ts";
 * assert.ok(roleAllows("admin", "producer"));
 * assert.ok(!roleAllows("viewer", "producer"));
 * ```
 */
export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Options for {@linkcode Authenticator}. */
export interface AuthenticatorOptions {
  /** The keys, with the master key: authentication is on. Absent: off. */
  keys?: ApiKeys;
  /**
   * Off on purpose on a non-loopback address (`--insecure-no-auth`): shown to the dashboard so
   * it can warn. Default false.
   */
  insecure?: boolean;
  /** Failed attempts per client address. Default: 10 a minute. */
  failures?: FailedAttempts;
  /** Where failures are logged (warn). Default: `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Authenticator } from "./authenticator.ts";
 * const off = new Authenticator();
 * const caller = await off.identify({ kind: "none" }, "127.0.0.1");
 * assert.equal(caller.role, "admin");
 * ```
 */
export class Authenticator {
  readonly keys: ApiKeys | undefined;
  readonly insecure: boolean;
  readonly failures: FailedAttempts;
  readonly #logger: Logger;

  constructor(options: AuthenticatorOptions = {}) {
    this.keys = options.keys;
    this.insecure = options.keys === undefined && (options.insecure ?? false);
    this.failures = options.failures ?? new FailedAttempts();
    this.#logger = options.logger ?? defaultLogger();
  }

  /** Whether keys are checked (a master key is configured). */
  get on(): boolean {
    return this.keys !== undefined;
  }

  /**
   * The caller `presented` proves, from the client at `address`. Throws `HttpError` 401
   * `unauthorized` (no key, or a key that is not good: the message says which of the two and no
   * more) or 429 `too_many_attempts` (too many failures from `address` lately). `fields` go on
   * the warning a failure logs (the request id).
   */
  async identify(
    presented: Presented,
    address: string,
    fields: Record<string, unknown> = {},
  ): Promise<Caller> {
    const keys = this.keys;
    if (keys === undefined) return ANONYMOUS;
    if (presented.kind === "none") throw missingKey();
    this.#refuseIfBlocked(address);
    const check = presented.kind === "secret"
      ? await keys.verify(presented.secret)
      : { ok: false as const, reason: "malformed" as const };
    if (check.ok) {
      const { id, name, role, expiresAt } = check.key;
      return expiresAt === undefined ? { id, name, role } : { id, name, role, expiresAt };
    }
    this.failures.record(address);
    const keyId = presented.kind === "secret" ? keyIdOf(presented.secret) : undefined;
    this.#logger.warn(`Authentication failed: ${describe(check.reason)}`, {
      ...fields,
      client: address,
      reason: check.reason,
      ...(keyId === undefined ? {} : { keyId }),
      ...(presented.kind === "secret" ? { from: presented.from } : { from: "header" }),
    });
    throw invalidKey();
  }

  /** 429 when `address` failed too often lately; nothing is checked for it meanwhile. */
  #refuseIfBlocked(address: string): void {
    const wait = this.failures.retryAfter(address);
    if (wait === 0) return;
    throw new HttpError(
      429,
      "too_many_attempts",
      `Too many failed authentications from ${address}: try again in ${wait} s`,
      { retryAfterSeconds: wait },
      { "Retry-After": String(wait) },
    );
  }
}

function describe(reason: KeyRefusal): string {
  switch (reason) {
    case "malformed":
      return "not a key's form";
    case "unknown":
      return "no such key, or the wrong secret";
    case "revoked":
      return "the key is revoked";
    case "expired":
      return "the key has expired";
  }
}

/** 401 for a request that presents no key. */
export function missingKey(): HttpError {
  return new HttpError(
    401,
    "unauthorized",
    "An API key is needed: send Authorization: Bearer <key>, or sign in on the dashboard",
    { reason: "missing" },
  );
}

/** 401 for a key that is not good (unknown, revoked, expired: which is not said). */
export function invalidKey(): HttpError {
  return new HttpError(
    401,
    "unauthorized",
    "The API key is not valid (unknown, revoked or expired); ask an admin for a key",
    { reason: "invalid" },
  );
}

/** 403 for a caller whose role does not allow a route that needs `needed`. */
export function forbidden(caller: Caller, needed: Role): HttpError {
  const above = needed === "admin" ? "" : " (or above)";
  return new HttpError(
    403,
    "forbidden",
    `This needs the ${needed} role${above}; the key ${
      JSON.stringify(caller.name)
    } is a ${caller.role}`,
    { needed, role: caller.role },
  );
}
