/**
 * `Logger`: levelled log lines with context fields (`child`), written by a sink: to standard
 * output as JSON lines when it is not a terminal, as readable lines when it is.
 * @module
 */

import { jsonLine, type LogFields, type LogLevel, type LogRecord, prettyLine } from "./log_line.ts";

export type { LogFields, LogLevel, LogRecord } from "./log_line.ts";

/** Every level, least important first. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** How lines are written: `json` (one object per line) or `pretty` (for people). */
export type LogFormat = "json" | "pretty";

/** Where records go once their level lets them through. */
export type LogSink = (record: LogRecord) => void;

/** Options for {@linkcode Logger}. */
export interface LoggerOptions {
  /** Lines below this level are dropped before anything is built. Default `info`. */
  level?: LogLevel;
  /** Where lines go. Default: standard output, in the format {@linkcode logFormat} picks. */
  sink?: LogSink;
  /** Fields on every line. Default none. */
  fields?: LogFields;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Logger, type LogRecord } from "./logger.ts";
 * const records: LogRecord[] = [];
 * const log = new Logger({ level: "info", sink: (record) => records.push(record) });
 * log.child({ jobId: "j1" }).warn("lease lost", { worker: "w1" });
 * log.debug("dropped: below the level");
 * assert.deepEqual(records.map((r) => [r.level, r.msg, r.fields]), [
 *   ["warn", "lease lost", { jobId: "j1", worker: "w1" }],
 * ]);
 * ```
 */
export class Logger {
  readonly level: LogLevel;
  #rank: number;
  #sink: LogSink;
  #fields: LogFields;

  constructor(options: LoggerOptions = {}) {
    this.level = options.level ?? "info";
    this.#rank = LOG_LEVELS.indexOf(this.level);
    if (this.#rank === -1) {
      throw new RangeError(
        `level must be one of ${LOG_LEVELS.join(", ")}, received ${JSON.stringify(this.level)}`,
      );
    }
    this.#sink = options.sink ?? consoleSink(logFormat("auto"));
    this.#fields = options.fields ?? {};
  }

  /** Whether lines of `level` are written: check it before building costly fields. */
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.#rank;
  }

  /** A logger that adds `fields` to every line (the same level and sink). */
  child(fields: LogFields): Logger {
    return new Logger({
      level: this.level,
      sink: this.#sink,
      fields: { ...this.#fields, ...fields },
    });
  }

  debug(msg: string, fields?: LogFields): void {
    if (this.#rank <= 0) this.#write("debug", msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    if (this.#rank <= 1) this.#write("info", msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    if (this.#rank <= 2) this.#write("warn", msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.#write("error", msg, fields);
  }

  #write(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    this.#sink({
      time: new Date(),
      level,
      msg,
      fields: fields === undefined ? this.#fields : { ...this.#fields, ...fields },
    });
  }
}

/**
 * The format for standard output: `auto` is `pretty` on a terminal and `json` otherwise (a pipe,
 * a file, a service manager's journal).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logFormat } from "./logger.ts";
 * assert.equal(logFormat("json"), "json");
 * ```
 */
export function logFormat(choice: LogFormat | "auto"): LogFormat {
  if (choice !== "auto") return choice;
  return Deno.stdout.isTerminal() ? "pretty" : "json";
}

/** A sink writing each record to standard output as one line (`pretty`: a stack follows it). */
export function consoleSink(format: LogFormat): LogSink {
  const line = format === "json" ? jsonLine : prettyLine;
  return (record) => console.log(line(record));
}

/** Options for {@linkcode createLogger}. */
export interface CreateLoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Default `auto`: readable on a terminal, JSON lines otherwise. */
  format?: LogFormat | "auto";
  /** Where lines go. Default standard output. */
  sink?: LogSink;
}

/**
 * The service's logger: every line carries `node`, this machine's host name (left out where it
 * cannot be read).
 *
 * @example
 * ```ts
 * import { createLogger } from "./logger.ts";
 * const log = createLogger({ level: "warn", format: "json" });
 * log.info("not written: below warn");
 * ```
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const node = hostName();
  return new Logger({
    level: options.level,
    sink: options.sink ?? consoleSink(logFormat(options.format ?? "auto")),
    fields: node === undefined ? {} : { node },
  });
}

let shared: Logger | undefined;

/** The logger of parts built without one (a library user's): `info` and above, to stdout. */
export function defaultLogger(): Logger {
  return shared ??= createLogger();
}

/**
 * The host name, asked only where it is allowed (never prompting): from `Deno.hostname()` with
 * `--allow-sys`, else from `/etc/hostname` (Linux, containers) with `--allow-read`.
 */
function hostName(): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
      return Deno.hostname();
    }
    const file = "/etc/hostname";
    if (Deno.permissions.querySync({ name: "read", path: file }).state === "granted") {
      return Deno.readTextFileSync(file).trim() || undefined;
    }
  } catch { /* no such file */ }
  return undefined;
}
