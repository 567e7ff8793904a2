/**
 * Loggers for tests: one that keeps every record for the test to read, and the quiet default
 * that still shows errors, so that an unexpected one stands out in the output.
 * @module
 */

import {
  consoleSink,
  Logger,
  type LogLevel,
  type LogRecord,
} from "../../queue/primitives/logger.ts";

/** A logger whose records are kept in `records`. */
export interface CapturedLog {
  logger: Logger;
  records: LogRecord[];
  /** The messages so far, in order. */
  messages(): string[];
  /** The records whose message matches `pattern`. */
  matching(pattern: RegExp): LogRecord[];
}

/** A logger that keeps every record of `level` (default `debug`) and above. */
export function captureLog(level: LogLevel = "debug"): CapturedLog {
  const records: LogRecord[] = [];
  return {
    logger: new Logger({ level, sink: (record) => records.push(record) }),
    records,
    messages: () => records.map((record) => record.msg),
    matching: (pattern) => records.filter((record) => pattern.test(record.msg)),
  };
}

/**
 * For tests that do not read the log: only errors are shown, so that an unexpected one stands
 * out (warnings, a lost lease or a worker killed past kill-grace, are what many tests cause).
 */
export const TEST_LOGGER = new Logger({ level: "error", sink: consoleSink("pretty") });
