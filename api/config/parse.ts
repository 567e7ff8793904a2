/**
 * Reading the configuration: flags, then environment variables, then defaults, each value
 * checked against its option. A bad value throws a `ConfigError` naming the option.
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { HttpAllowList } from "../../queue/handlers/http/allow_list.ts";
import { masterKeyProblem } from "../../queue/keys/master_key.ts";
import { IpRanges } from "../../queue/primitives/ip_ranges.ts";
import { isPostgresSpec, redactStoreSpec } from "../../queue/store/open.ts";
import { readEdgeValue } from "./edge_values.ts";
import { type Config, envName, OPTIONS, type OptionSpec } from "./options.ts";

/**
 * A bad command line or option value. `option` is the flag's name; `source` is what the user
 * wrote: the flag (`--port`) or the environment variable (`DENOQUEUE_PORT`, `PORT`).
 */
export class ConfigError extends Error {
  constructor(readonly option: string, message: string, readonly source = `--${option}`) {
    super(`${source}: ${message}`);
    this.name = "ConfigError";
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i;
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** What `--schema` accepts: a plain identifier, short enough for its `_ready` channel. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,49}$/;

/** What is wrong with a `--store` value, or undefined. */
function storeProblem(text: string): string | undefined {
  const accepted = "must be memory, sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE";
  if (text === "memory" || /^sqlite:.+$/.test(text)) return undefined;
  if (!isPostgresSpec(text)) return accepted;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${accepted} (this URL does not parse; percent-encode special characters)`;
  }
  if (url.hostname === "") return `${accepted} (the URL names no host)`;
  if (url.pathname.length <= 1) return `${accepted} (the URL names no database)`;
  return undefined;
}

/** The range a number option accepts, for messages: " from 1 to 10000". */
function range(spec: OptionSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` of at least ${spec.min}`;
  return spec.max !== undefined ? ` of at most ${spec.max}` : "";
}

function parseValue(
  flag: string,
  spec: OptionSpec,
  raw: string,
  cwd: string,
  source: string,
): unknown {
  const text = raw.trim();
  const refuse = (message: string) => new ConfigError(flag, message, source);
  let value: number;
  switch (spec.kind) {
    case "string":
      if (text === "") throw refuse("must not be empty");
      return text;
    case "store": {
      const problem = storeProblem(text);
      if (problem !== undefined) {
        // A URL's password is never repeated back.
        throw refuse(`${problem}, received ${JSON.stringify(redactStoreSpec(raw))}`);
      }
      return text;
    }
    case "schema":
      if (!SCHEMA_NAME.test(text)) {
        throw refuse(
          "must be a schema name of 1 to 50 lower-case letters, digits and underscores, " +
            `starting with a letter or underscore, received ${JSON.stringify(raw)}`,
        );
      }
      return text;
    case "durability":
      if (text !== "normal" && text !== "full") {
        throw refuse(`must be normal or full, received ${JSON.stringify(raw)}`);
      }
      return text;
    case "choice": {
      const choices = spec.choices ?? [];
      if (!choices.includes(text)) {
        const accepted = choices.length > 1
          ? `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`
          : choices.join("");
        throw refuse(`must be ${accepted}, received ${JSON.stringify(raw)}`);
      }
      return text;
    }
    case "secret": {
      if (text === "") return undefined;
      // The message never quotes the value: it is a secret.
      const problem = masterKeyProblem(text);
      if (problem !== undefined) throw refuse(problem);
      return text;
    }
    case "boolean": {
      const word = text.toLowerCase();
      if (["", "true", "1", "yes"].includes(word)) return word !== "";
      if (["false", "0", "no"].includes(word)) return false;
      throw refuse(
        `must be true or false (or given alone as a flag), received ${JSON.stringify(raw)}`,
      );
    }
    case "url":
    case "hosts":
    case "origins":
      return readEdgeValue(spec.kind, raw, refuse);
    case "modules":
      return text === "" ? [] : text.split(",").map((part) => toModuleUrl(part.trim(), cwd));
    case "file":
      return text === "" ? "" : resolve(cwd, text);
    case "addresses": {
      const entries = text === "" ? [] : text.split(",").map((part) => part.trim());
      try {
        IpRanges.parse(entries);
      } catch (error) {
        throw refuse(
          `${(error as Error).message}: give addresses or CIDR ranges (10.0.0.0/8), or ` +
            "loopback, linklocal, uniquelocal, comma-separated",
        );
      }
      return entries;
    }
    case "destinations": {
      const entries = text.split(",").map((part) => part.trim()).filter((part) => part !== "");
      try {
        HttpAllowList.parse(entries);
      } catch (error) {
        throw refuse(
          `${(error as Error).message}: give host names (hooks.internal), host:port ` +
            "(127.0.0.1:9000, [::1]:9000), addresses or CIDR ranges (10.0.0.0/8), comma-separated",
        );
      }
      return entries;
    }
    case "integer":
      if (!/^\d+$/.test(text)) {
        throw refuse(`must be a whole number${range(spec)}, received ${JSON.stringify(raw)}`);
      }
      value = Number(text);
      break;
    case "number":
      value = Number(text);
      if (text === "" || !Number.isFinite(value)) {
        throw refuse(`must be a number, received ${JSON.stringify(raw)}`);
      }
      break;
    case "duration": {
      const match = DURATION.exec(text);
      if (match === null) {
        throw refuse(
          `must be a duration like 500ms, 5s, 2m, 7d or a number of ms, received ${
            JSON.stringify(raw)
          }`,
        );
      }
      value = Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? "ms").toLowerCase()]);
      break;
    }
    case "size": {
      const match = SIZE.exec(text);
      if (match === null) {
        throw refuse(
          `must be a size like 1mb, 512kb or a number of bytes, received ${JSON.stringify(raw)}`,
        );
      }
      value = Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? "b").toLowerCase()]);
      break;
    }
  }
  if (spec.min !== undefined && value < spec.min) {
    throw refuse(`must be at least ${spec.min}, received ${JSON.stringify(raw)}`);
  }
  if (spec.max !== undefined && value > spec.max) {
    throw refuse(`must be at most ${spec.max}, received ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * The folder relative `--handlers` paths are read from: where the user typed them, or, in an
 * executable made by `deno compile` (`standalone`), the DenoQueue folder it was compiled from,
 * which is where the executable holds the handler modules compiled into it (`entry` is
 * `main.ts`'s URL there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handlerBase } from "./parse.ts";
 *
 * const entry = "file:///tmp/deno-compile-denoqueue/main.ts";
 * assert.equal(handlerBase(false, "/srv", entry), "/srv");
 * assert.equal(handlerBase(true, "/srv", entry), "/tmp/deno-compile-denoqueue/");
 * ```
 */
export function handlerBase(standalone: boolean, cwd: string, entry: string): string {
  return standalone ? fileURLToPath(new URL("./", entry)) : cwd;
}

/** Resolves a handler module path against `cwd` (see {@linkcode handlerBase}) into a URL. */
function toModuleUrl(specifier: string, cwd: string): string {
  if (/^(file|https?):/.test(specifier)) return specifier;
  return new URL(specifier, pathToFileURL(cwd.endsWith("/") ? cwd : cwd + "/")).href;
}

/** The result of reading the command line: a config, or a request for help. */
export type ParsedConfig = { help: true } | { help: false; config: Config };

/**
 * Reads flags, then `DENOQUEUE_*` and `PORT` from `env`, then defaults.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./parse.ts";
 * const parsed = parseConfig(["--port", "9000"], {}, "/srv");
 * ```
 */
export function parseConfig(
  args: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): ParsedConfig {
  const values = readFlags(args);
  if (values.help === true) return { help: true };
  const config: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const [flag, spec] of Object.entries(OPTIONS)) {
    const fromFlag = values[flag];
    const named = envName(flag);
    const envSource = env[named] !== undefined
      ? named
      : flag === "port" && env.PORT !== undefined
      ? "PORT"
      : undefined;
    const raw = typeof fromFlag === "string"
      ? fromFlag
      : envSource !== undefined
      ? env[envSource]!
      : spec.fallback();
    const source = typeof fromFlag === "string" ? `--${flag}` : envSource ?? `--${flag}`;
    sources[flag] = source;
    // A secret written empty (`--master-key "$KEY"` with KEY unset) meant to turn something on.
    const given = typeof fromFlag === "string" || envSource !== undefined;
    if (spec.kind === "secret" && given && raw.trim() === "") {
      throw new ConfigError(
        flag,
        "is empty; give a key of 16 characters or more (openssl rand -base64 32), or leave " +
          "it out to run without authentication",
        source,
      );
    }
    config[spec.key] = parseValue(flag, spec, raw, cwd, source);
  }
  // HTTPS takes both files; one alone is a mistake, not plain HTTP.
  if ((config.tlsCert === "") !== (config.tlsKey === "")) {
    const [given, missing] = config.tlsCert === ""
      ? ["tls-key", "tls-cert"]
      : ["tls-cert", "tls-key"];
    throw new ConfigError(
      given,
      `needs --${missing} as well: give both, or neither for HTTP`,
      sources[given],
    );
  }
  // A timeout of less than two beats would take one late beat for a death.
  if ((config.nodeTimeout as number) < 2 * (config.heartbeat as number)) {
    throw new ConfigError(
      "node-timeout",
      `must be at least twice --heartbeat (${config.heartbeat} ms), received ` +
        `${config.nodeTimeout} ms`,
      sources["node-timeout"],
    );
  }
  return { help: false, config: config as unknown as Config };
}

/**
 * The flags on the command line, by name. Refuses, naming what was written, an unknown flag, a
 * flag without its value, and a stray word.
 */
function readFlags(args: string[]): Record<string, string | boolean> {
  const { tokens } = parseArgs({
    // `deno task start -- --port 9000` hands the `--` on as it is: options follow it all the same.
    args: args.filter((arg) => arg !== "--"),
    options: {
      ...Object.fromEntries(
        Object.entries(OPTIONS).map((
          [flag, spec],
        ) => [flag, { type: spec.kind === "boolean" ? "boolean" as const : "string" as const }]),
      ),
      help: { type: "boolean", short: "h" },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind === "positional") {
      throw new ConfigError(
        "",
        `unexpected argument; options are written --name value (see --help)`,
        JSON.stringify(token.value),
      );
    }
    if (token.kind !== "option") continue;
    if (token.name === "help") {
      values.help = true;
      continue;
    }
    const spec = OPTIONS[token.name];
    if (spec === undefined) {
      throw new ConfigError(token.name, "is not an option (see --help)", token.rawName);
    }
    if (spec.kind === "boolean") {
      // `--insecure-no-auth` alone is true; `--insecure-no-auth=false` says so.
      values[token.name] = token.inlineValue && typeof token.value === "string"
        ? token.value
        : "true";
      continue;
    }
    const value = typeof token.value === "string" ? token.value : undefined;
    const swallowed = value !== undefined && !token.inlineValue && /^--?[a-z]/i.test(value) &&
      (OPTIONS[value.replace(/^--?/, "").split("=")[0]] !== undefined || value === "-h");
    if (value === undefined || swallowed) {
      throw new ConfigError(
        token.name,
        `needs a value, e.g. --${token.name} ${spec.fallback() || "VALUE"}`,
        token.rawName,
      );
    }
    values[token.name] = value;
  }
  return values;
}
