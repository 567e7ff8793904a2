/**
 * A safety net for faults inside the PostgreSQL driver itself while connections come and go
 * (an outage, a restart): postgres.js 3.4 can write to a socket it has just closed from a timer
 * (`TypeError: Cannot read properties of null (reading 'write')`) or leave the rejection of a
 * reconnect (`connect ECONNREFUSED`) unhandled. Either would end the whole process, though the
 * connection was going away anyway and the pool reconnects by itself. Errors thrown from the
 * driver's own files are logged and dropped; every other error ends the process as before.
 * @module
 */

import { defaultLogger, type Logger } from "../../primitives/logger.ts";

/** Where postgres.js's files are, as a stack names them. */
const DRIVER_FILES = /[\\/]postgres[\\/][\d.]+[\\/]src[\\/]/;

/** The connection errors a reconnect's unhandled rejection carries. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

let installed = false;

/**
 * Whether `error` is one of the driver's own faults above: thrown from its files, or a
 * connection error (no query of ours in its stack).
 */
export function isDriverFault(error: unknown, unhandledRejection: boolean): boolean {
  if (!(error instanceof Error)) return false;
  const stack = error.stack ?? "";
  if (unhandledRejection) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && CONNECTION_CODES.has(code) &&
      (DRIVER_FILES.test(stack) || !stack.includes("file:"));
  }
  const top = stack.split("\n").find((line) => /^\s+at /.test(line)) ?? "";
  return DRIVER_FILES.test(top);
}

/** Installs the safety net once per process (a PostgreSQL store does, as it opens). */
export function survivePostgresDriverFaults(logger: Logger = defaultLogger()): void {
  if (installed) return;
  installed = true;
  globalThis.addEventListener("error", (event) => {
    if (!isDriverFault(event.error, false)) return;
    event.preventDefault();
    logger.warn("PostgreSQL driver fault while a connection closed (ignored)", {
      error: event.error,
    });
  });
  globalThis.addEventListener("unhandledrejection", (event) => {
    if (!isDriverFault(event.reason, true)) return;
    event.preventDefault();
    logger.warn("PostgreSQL driver left a reconnect's failure unhandled (ignored)", {
      error: event.reason,
    });
  });
}
