/**
 * The audit log: one line per admin action that changed something (keys made or revoked, clear,
 * pause, resume, retry, retry-all, delete, cancel), in the service's log stream, marked
 * `audit: true` and naming the key that acted. Never a secret.
 * @module
 */

import type { Logger } from "../../queue/primitives/logger.ts";
import type { Caller } from "./authenticator.ts";

/** One audited action. */
export interface AuditEntry {
  /** What was done: `clear`, `keys.create`, `jobs.delete`, … */
  action: string;
  /** The key that did it. */
  caller: Caller;
  /** What it was done to (a job or key id, a status), when there is one. */
  target?: string;
  /** The client's address. */
  client?: string;
  requestId?: string;
}

/**
 * Writes `entry` at info with `audit: true`, whatever the level: a level that drops info drops
 * it too, as the operator asked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Logger, type LogRecord } from "../../queue/primitives/logger.ts";
 * import { auditLine } from "./audit.ts";
 * const records: LogRecord[] = [];
 * const logger = new Logger({ sink: (record) => records.push(record) });
 * auditLine(logger, { action: "clear", caller: { id: "k1", name: "ops", role: "admin" } });
 * assert.equal(records[0].fields.audit, true);
 * assert.equal(records[0].fields.keyName, "ops");
 * ```
 */
export function auditLine(logger: Logger, entry: AuditEntry): void {
  const { action, caller, target, client, requestId } = entry;
  const on = target === undefined ? "" : ` ${target}`;
  logger.info(`Audit: ${action}${on} by key ${JSON.stringify(caller.name)} (${caller.id})`, {
    audit: true,
    action,
    ...(target === undefined ? {} : { target }),
    keyId: caller.id,
    keyName: caller.name,
    role: caller.role,
    ...(client === undefined ? {} : { client }),
    ...(requestId === undefined ? {} : { requestId }),
  });
}
