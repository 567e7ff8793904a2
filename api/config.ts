/**
 * Service configuration: every option as a flag and as `DENOQUEUE_<NAME>` (`PORT` too), flags
 * winning. A bad value throws a `ConfigError` naming the option.
 * @module
 */

import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** Everything `main.ts` needs to start the service. Durations in ms, sizes in bytes. */
export interface Config {
  port: number;
  host: string;
  workers: number;
  concurrency: number;
  capacity: number;
  enqueueWait: number;
  bodyLimit: number;
  demoSpeed: number;
  /** Handler modules as absolute URLs. */
  handlers: string[];
  shutdownGrace: number;
  killGrace: number;
  /** `memory`, or `sqlite:PATH`. */
  store: string;
  durability: "normal" | "full";
  lease: number;
  retainCompleted: number;
  retainFailed: number;
  retainCount: number;
}

/** A bad option value; `option` is the flag's name. */
export class ConfigError extends Error {
  constructor(readonly option: string, message: string) {
    super(`--${option}: ${message}`);
    this.name = "ConfigError";
  }
}

type Kind =
  | "integer"
  | "duration"
  | "size"
  | "number"
  | "string"
  | "modules"
  | "store"
  | "durability";

interface OptionSpec {
  key: keyof Config;
  kind: Kind;
  description: string;
  fallback: () => string;
  min?: number;
  max?: number;
}

/** Every option, by flag name. The order is the order of `--help`. */
export const OPTIONS: Record<string, OptionSpec> = {
  "port": {
    key: "port",
    kind: "integer",
    min: 0,
    max: 65535,
    description: "TCP port to listen on (also PORT)",
    fallback: () => "8080",
  },
  "host": {
    key: "host",
    kind: "string",
    description: "Address to listen on; keep loopback until the service has authentication",
    fallback: () => "127.0.0.1",
  },
  "workers": {
    key: "workers",
    kind: "integer",
    min: 1,
    max: 256,
    description: "Web Workers in the pool",
    fallback: () => String(Math.min(256, navigator.hardwareConcurrency ?? 2)),
  },
  "concurrency": {
    key: "concurrency",
    kind: "integer",
    min: 1,
    max: 10_000,
    description: "Jobs each worker runs at once",
    fallback: () => "16",
  },
  "capacity": {
    key: "capacity",
    kind: "integer",
    min: 1,
    max: 100_000_000,
    description: "Unfinished jobs allowed at once; past it enqueues wait, then get 503",
    fallback: () => "10000",
  },
  "enqueue-wait": {
    key: "enqueueWait",
    kind: "duration",
    min: 0,
    max: 300_000,
    description: "How long an enqueue waits for room when the queue is full (e.g. 5s, 500ms)",
    fallback: () => "5s",
  },
  "body-limit": {
    key: "bodyLimit",
    kind: "size",
    min: 1024,
    max: 1024 ** 3,
    description: "Largest request body (e.g. 1mb, 512kb, 65536)",
    fallback: () => "1mb",
  },
  "demo-speed": {
    key: "demoSpeed",
    kind: "number",
    min: 0,
    max: 1000,
    description: "Time scale of the demo job types (1 = GoQueue's durations, 0.01 = 100x faster)",
    fallback: () => "1",
  },
  "handlers": {
    key: "handlers",
    kind: "modules",
    description: "Your handler module(s), comma-separated paths or URLs, loaded into every worker",
    fallback: () => "",
  },
  "store": {
    key: "store",
    kind: "store",
    description: "Where jobs live: sqlite:PATH (durable, the default) or memory (lost on restart)",
    fallback: () => "sqlite:./data/denoqueue.db",
  },
  "durability": {
    key: "durability",
    kind: "durability",
    description:
      "SQLite: normal survives a process crash; full also survives power loss (fsync per commit)",
    fallback: () => "normal",
  },
  "lease": {
    key: "lease",
    kind: "duration",
    min: 1000,
    max: 3_600_000,
    description: "How long a running job's lease lasts unless renewed; past it the job is rescued",
    fallback: () => "30s",
  },
  "retain-completed": {
    key: "retainCompleted",
    kind: "duration",
    min: 0,
    max: 365 * 86_400_000,
    description: "How long completed jobs are kept",
    fallback: () => "24h",
  },
  "retain-failed": {
    key: "retainFailed",
    kind: "duration",
    min: 0,
    max: 365 * 86_400_000,
    description: "How long failed and cancelled jobs are kept",
    fallback: () => "7d",
  },
  "retain-count": {
    key: "retainCount",
    kind: "integer",
    min: 0,
    max: 1_000_000_000,
    description: "At most this many completed (and as many failed, and cancelled) jobs are kept",
    fallback: () => "100000",
  },
  "shutdown-grace": {
    key: "shutdownGrace",
    kind: "duration",
    min: 0,
    max: 3_600_000,
    description: "On SIGINT/SIGTERM, how long running jobs get to finish",
    fallback: () => "10s",
  },
  "kill-grace": {
    key: "killGrace",
    kind: "duration",
    min: 0,
    max: 3_600_000,
    description:
      "After a job's timeout or cancel aborts its signal, how long before its worker is killed",
    fallback: () => "5s",
  },
};

/** The environment variable of an option: `DENOQUEUE_ENQUEUE_WAIT` for `enqueue-wait`. */
export function envName(flag: string): string {
  return `DENOQUEUE_${flag.toUpperCase().replaceAll("-", "_")}`;
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

function parseValue(flag: string, spec: OptionSpec, raw: string, cwd: string): unknown {
  const text = raw.trim();
  let value: number;
  switch (spec.kind) {
    case "string":
      if (text === "") throw new ConfigError(flag, "must not be empty");
      return text;
    case "store": {
      if (text === "memory") return text;
      const match = /^sqlite:(.+)$/.exec(text);
      if (match === null) {
        throw new ConfigError(
          flag,
          `must be memory or sqlite:PATH, received ${JSON.stringify(raw)}`,
        );
      }
      return text;
    }
    case "durability":
      if (text !== "normal" && text !== "full") {
        throw new ConfigError(flag, `must be normal or full, received ${JSON.stringify(raw)}`);
      }
      return text;
    case "modules":
      return text === "" ? [] : text.split(",").map((part) => toModuleUrl(part.trim(), cwd));
    case "integer":
      if (!/^\d+$/.test(text)) {
        throw new ConfigError(flag, `must be a whole number, received ${JSON.stringify(raw)}`);
      }
      value = Number(text);
      break;
    case "number":
      value = Number(text);
      if (text === "" || !Number.isFinite(value)) {
        throw new ConfigError(flag, `must be a number, received ${JSON.stringify(raw)}`);
      }
      break;
    case "duration": {
      const match = DURATION.exec(text);
      if (match === null) {
        throw new ConfigError(
          flag,
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
        throw new ConfigError(
          flag,
          `must be a size like 1mb, 512kb or a number of bytes, received ${JSON.stringify(raw)}`,
        );
      }
      value = Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? "b").toLowerCase()]);
      break;
    }
  }
  if (spec.min !== undefined && value < spec.min) {
    throw new ConfigError(flag, `must be at least ${spec.min}, received ${JSON.stringify(raw)}`);
  }
  if (spec.max !== undefined && value > spec.max) {
    throw new ConfigError(flag, `must be at most ${spec.max}, received ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Resolves a handler module path against `cwd` (where the user typed it) into a URL. */
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
 * import { parseConfig } from "./config.ts";
 * const parsed = parseConfig(["--port", "9000"], {}, "/srv");
 * ```
 */
export function parseConfig(
  args: string[],
  env: Record<string, string | undefined>,
  cwd: string,
): ParsedConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      Object.keys(OPTIONS).map((flag) => [flag, { type: "string" as const }]),
    );
    ({ values } = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError("help", `${message}; see --help`);
  }
  if (values.help === true) return { help: true };
  const config: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(OPTIONS)) {
    const fromFlag = values[flag];
    const fromEnv = env[envName(flag)] ?? (flag === "port" ? env.PORT : undefined);
    const raw = typeof fromFlag === "string" ? fromFlag : fromEnv ?? spec.fallback();
    config[spec.key] = parseValue(flag, spec, raw, cwd);
  }
  return { help: false, config: config as unknown as Config };
}

/** The text of `--help`. */
export function helpText(): string {
  const lines = [
    "DenoQueue: a job queue service with a REST API, Web Worker pool and live dashboard.",
    "",
    "Usage: deno task start [options]",
    "",
    "Options (each also read from the environment variable shown):",
  ];
  for (const [flag, spec] of Object.entries(OPTIONS)) {
    lines.push(`  --${flag} <value>`);
    lines.push(`      ${spec.description}.`);
    lines.push(`      Env ${envName(flag)}; default ${spec.fallback() || "(none)"}.`);
  }
  lines.push("  -h, --help", "      Show this help.");
  return lines.join("\n");
}
