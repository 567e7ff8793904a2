/**
 * A log record written as one line: a JSON object for machines, or `TIME LEVEL message key=value`
 * for people. Errors become `{ name, message, stack }`; a value JSON cannot hold never throws.
 * @module
 */

/** How important a line is, least first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Context of a line: `requestId`, `jobId`, `type`, `worker`, `error`, … */
export type LogFields = Record<string, unknown>;

/** One line to write. */
export interface LogRecord {
  time: Date;
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

/** An `Error` as a log field: its name, message, stack, and (if any) code and cause. */
export interface ErrorFields {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
}

/**
 * An error (or anything thrown) as plain data a log line can hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorFields } from "./log_line.ts";
 * assert.equal(errorFields(new RangeError("too big")).name, "RangeError");
 * assert.deepEqual(errorFields("a string"), { name: "string", message: "a string" });
 * ```
 */
export function errorFields(error: unknown, depth = 0): ErrorFields {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const fields: ErrorFields = { name: error.name, message: error.message };
  if (error.stack !== undefined) fields.stack = error.stack;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) fields.code = code;
  if (error.cause !== undefined && depth < 3) fields.cause = errorFields(error.cause, depth + 1);
  return fields;
}

/** JSON.stringify's replacer: errors as their fields, bigints as strings. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return errorFields(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** A value as JSON, or a string saying why it cannot be (a cycle). */
function toJson(value: unknown): string {
  try {
    return JSON.stringify(value, replacer) ?? JSON.stringify(String(value));
  } catch (error) {
    return JSON.stringify(`[unserializable: ${error instanceof Error ? error.message : error}]`);
  }
}

/**
 * `{"time":"…","level":"info","msg":"…",…fields}` on one line (a stack's line breaks are
 * escaped, as JSON writes them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonLine } from "./log_line.ts";
 * const line = jsonLine({
 *   time: new Date(0),
 *   level: "info",
 *   msg: "started",
 *   fields: { jobId: "j1" },
 * });
 * assert.equal(line, '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"started","jobId":"j1"}');
 * ```
 */
export function jsonLine(record: LogRecord): string {
  let line = `{"time":"${record.time.toISOString()}","level":"${record.level}","msg":${
    JSON.stringify(record.msg)
  }`;
  for (const key in record.fields) {
    const value = record.fields[key];
    if (value === undefined || key === "time" || key === "level" || key === "msg") continue;
    line += `,${JSON.stringify(key)}:${toJson(value)}`;
  }
  return line + "}";
}

const LABELS: Record<LogLevel, string> = {
  debug: "DEBUG",
  info: "INFO ",
  warn: "WARN ",
  error: "ERROR",
};

/** A value as `key=value` shows it: bare when it is one plain word, else as JSON. */
function prettyValue(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return toJson(value);
}

/**
 * `2026-11-29T17:00:00.000Z INFO  message key=value …`; an error field shows as its message,
 * its stack on the lines after, indented.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prettyLine } from "./log_line.ts";
 * const line = prettyLine({
 *   time: new Date(0),
 *   level: "warn",
 *   msg: "lost a lease",
 *   fields: { jobId: "j1", worker: "w 2" },
 * });
 * assert.equal(line, '1970-01-01T00:00:00.000Z WARN  lost a lease jobId=j1 worker="w 2"');
 * ```
 */
export function prettyLine(record: LogRecord): string {
  let line = `${record.time.toISOString()} ${LABELS[record.level]} ${record.msg}`;
  let stack = "";
  for (const key in record.fields) {
    const value = record.fields[key];
    if (value === undefined) continue;
    if (value instanceof Error) {
      const header = `${value.name}: ${value.message}`;
      line += ` ${key}=${prettyValue(header)}`;
      // The stack starts with the header again: show only its frames.
      const frames = value.stack?.startsWith(header)
        ? value.stack.slice(header.length)
        : value.stack;
      if (frames?.trim()) stack += "\n" + indent(frames.trim());
    } else {
      line += ` ${key}=${prettyValue(value)}`;
    }
  }
  return line + stack;
}

function indent(text: string): string {
  return text.split("\n").map((line) => `    ${line.trimStart()}`).join("\n");
}
