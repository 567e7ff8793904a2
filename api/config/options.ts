/**
 * The service's options: each one's flag, kind, limits, description and default, and the
 * `Config` they make up. Flags are also read as `DENOQUEUE_<NAME>` (`PORT` too).
 * @module
 */

import { LOG_LEVELS, type LogFormat, type LogLevel } from "../../queue/primitives/logger.ts";

/** Everything `main.ts` needs to start the service. Durations in ms, sizes in bytes. */
export interface Config {
  port: number;
  host: string;
  /** The URL users reach the service at, as an origin (`https://queue.example.com`). */
  publicUrl: string | undefined;
  /** More `Host` names it answers to: `name` (any port) or `name:port`. */
  allowedHosts: string[];
  /** Origins of browser apps allowed to call the API (CORS). */
  corsOrigins: string[];
  /** The master key: turns authentication on and acts as an admin. Absent: authentication off. */
  masterKey: string | undefined;
  /** Listen beyond loopback without a master key (authentication off), on purpose. */
  insecureNoAuth: boolean;
  workers: number;
  concurrency: number;
  capacity: number;
  enqueueWait: number;
  bodyLimit: number;
  /** Largest job result, in bytes of JSON. */
  resultLimit: number;
  /** Destinations the `http` job type may call although refused: hosts, addresses, CIDRs. */
  httpAllow: string[];
  demoSpeed: number;
  /** Handler modules as absolute URLs. */
  handlers: string[];
  shutdownGrace: number;
  killGrace: number;
  closeGrace: number;
  /** `memory`, `sqlite:PATH`, or `postgres://USER:PASSWORD@HOST:PORT/DATABASE`. */
  store: string;
  durability: "normal" | "full";
  /** PostgreSQL: the schema holding DenoQueue's tables (several groups can share a database). */
  schema: string;
  /** PostgreSQL: `synchronous_commit` of DenoQueue's connections. */
  pgSynchronousCommit: "on" | "off";
  lease: number;
  /** Milliseconds between a node's heartbeats. */
  heartbeat: number;
  /** Milliseconds without a heartbeat after which a node is dead (and the leader lease). */
  nodeTimeout: number;
  retainCompleted: number;
  retainFailed: number;
  retainCount: number;
  /** Lines below this level are not written. */
  logLevel: LogLevel;
  /** `auto`: readable lines on a terminal, JSON lines otherwise. */
  logFormat: LogFormat | "auto";
  /** How long a request body may take to arrive, in ms; past it 408. */
  bodyTimeout: number;
  /** Requests in progress at once, from every client together. */
  maxRequests: number;
  /** Requests in progress at once from one client address. */
  maxRequestsPerClient: number;
  /** Producer sockets open at once, from every client together. */
  maxProducerSockets: number;
  /** Producer sockets open at once from one client address. */
  maxProducerSocketsPerClient: number;
  /** PEM certificate chain file for HTTPS; "" for plain HTTP. */
  tlsCert: string;
  /** PEM private key file for HTTPS; "" for plain HTTP. */
  tlsKey: string;
  /** Proxies whose `X-Forwarded-For` is believed: addresses, CIDRs and named ranges. */
  trustProxy: string[];
}

/** How an option's value is written, and so how it is read. */
export type Kind =
  | "integer"
  | "duration"
  | "size"
  | "number"
  | "string"
  | "modules"
  | "store"
  | "durability"
  | "schema"
  | "choice"
  | "url"
  | "hosts"
  | "origins"
  | "secret"
  | "boolean"
  | "file"
  | "addresses"
  | "destinations";

/** One option: the `Config` key it sets, its kind, limits, description and default. */
export interface OptionSpec {
  key: keyof Config;
  kind: Kind;
  description: string;
  fallback: () => string;
  min?: number;
  max?: number;
  /** The values a `choice` option accepts. */
  choices?: readonly string[];
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
    description: "Address to listen on; beyond loopback it needs --master-key",
    fallback: () => "127.0.0.1",
  },
  "public-url": {
    key: "publicUrl",
    kind: "url",
    description:
      "The URL users reach the service at (e.g. https://queue.example.com behind a proxy): its host is served, its origin is the server's own",
    fallback: () => "",
  },
  "allowed-hosts": {
    key: "allowedHosts",
    kind: "hosts",
    description:
      "More Host names to serve besides loopback, comma-separated: name (any port) or name:port",
    fallback: () => "",
  },
  "cors-origins": {
    key: "corsOrigins",
    kind: "origins",
    description:
      "Origins of browser apps that may call the API (CORS), comma-separated, e.g. https://app.example",
    fallback: () => "",
  },
  "master-key": {
    key: "masterKey",
    kind: "secret",
    description:
      "Turns authentication on: every API call needs a key; this one acts as an admin (16+ characters, e.g. openssl rand -base64 32)",
    fallback: () => "",
  },
  "insecure-no-auth": {
    key: "insecureNoAuth",
    kind: "boolean",
    description:
      "Listen beyond loopback without a master key (no authentication): only behind something that checks callers",
    fallback: () => "false",
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
  "result-limit": {
    key: "resultLimit",
    kind: "size",
    min: 1024,
    max: 1024 ** 3,
    description: "Largest job result, as JSON; a larger one fails the job without retries",
    fallback: () => "1mb",
  },
  "http-allow": {
    key: "httpAllow",
    kind: "destinations",
    description:
      "What http jobs may call although refused (loopback, private, link-local, metadata): " +
      "comma-separated host names, addresses or CIDRs, each with an optional :port",
    fallback: () => "",
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
    description:
      "Where jobs live: sqlite:PATH (durable, the default), postgres://USER:PASSWORD@HOST:PORT/DATABASE (shared by many processes) or memory (lost on restart)",
    fallback: () => "sqlite:./data/denoqueue.db",
  },
  "durability": {
    key: "durability",
    kind: "durability",
    description:
      "SQLite: normal survives a process crash; full also survives power loss (fsync per commit)",
    fallback: () => "normal",
  },
  "schema": {
    key: "schema",
    kind: "schema",
    description:
      "PostgreSQL: the schema holding DenoQueue's tables, created at start (to share a database)",
    fallback: () => "denoqueue",
  },
  "pg-synchronous-commit": {
    key: "pgSynchronousCommit",
    kind: "choice",
    choices: ["on", "off"],
    description:
      "PostgreSQL: on, a 201 means the job is on disk; off is faster, and a server crash may lose the last moments of acknowledged jobs",
    fallback: () => "on",
  },
  "lease": {
    key: "lease",
    kind: "duration",
    min: 1000,
    max: 3_600_000,
    description: "How long a running job's lease lasts unless renewed; past it the job is rescued",
    fallback: () => "30s",
  },
  "heartbeat": {
    key: "heartbeat",
    kind: "duration",
    min: 100,
    max: 60_000,
    description: "How often this node writes its heartbeat and tries to lead (PostgreSQL cluster)",
    fallback: () => "1s",
  },
  "node-timeout": {
    key: "nodeTimeout",
    kind: "duration",
    min: 1000,
    max: 3_600_000,
    description:
      "How long without a heartbeat makes a node dead: its running jobs are rescued at once; also how long a leader holds its lease. At least 2 x --heartbeat",
    fallback: () => "10s",
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
      "After a job's timeout, cancel or shutdown aborts its signal, how long before its worker is killed",
    fallback: () => "5s",
  },
  "close-grace": {
    key: "closeGrace",
    kind: "duration",
    min: 0,
    max: 60_000,
    description:
      "At shutdown, how long producer sockets and HTTP connections (event streams) get to close",
    fallback: () => "2s",
  },
  "log-level": {
    key: "logLevel",
    kind: "choice",
    choices: LOG_LEVELS,
    description: "Lowest level logged: debug (adds a line per request), info, warn or error",
    fallback: () => "info",
  },
  "log-format": {
    key: "logFormat",
    kind: "choice",
    choices: ["auto", "json", "pretty"],
    description: "Log lines as json (one object per line) or pretty; auto: pretty on a terminal",
    fallback: () => "auto",
  },
  "body-timeout": {
    key: "bodyTimeout",
    kind: "duration",
    min: 100,
    max: 3_600_000,
    description:
      "How long a request body may take to arrive; past it the request gets 408 and its memory is freed",
    fallback: () => "10s",
  },
  "max-requests": {
    key: "maxRequests",
    kind: "integer",
    min: 1,
    max: 1_000_000,
    description:
      "Requests in progress at once (event streams and ?wait= included); past it 503 with Retry-After",
    fallback: () => "1024",
  },
  "max-requests-per-client": {
    key: "maxRequestsPerClient",
    kind: "integer",
    min: 1,
    max: 1_000_000,
    description:
      "Requests in progress at once from one client address; past it 429 with Retry-After",
    fallback: () => "128",
  },
  "max-producer-sockets": {
    key: "maxProducerSockets",
    kind: "integer",
    min: 1,
    max: 100_000,
    description:
      "Producer WebSockets open at once; each may buffer a message of up to 64 MiB (see README)",
    fallback: () => "32",
  },
  "max-producer-sockets-per-client": {
    key: "maxProducerSocketsPerClient",
    kind: "integer",
    min: 1,
    max: 100_000,
    description: "Producer WebSockets open at once from one client address",
    fallback: () => "8",
  },
  "tls-cert": {
    key: "tlsCert",
    kind: "file",
    description: "PEM certificate (chain) file: serve HTTPS (with --tls-key)",
    fallback: () => "",
  },
  "tls-key": {
    key: "tlsKey",
    kind: "file",
    description: "PEM private key file of --tls-cert",
    fallback: () => "",
  },
  "trust-proxy": {
    key: "trustProxy",
    kind: "addresses",
    description:
      "Reverse proxies whose X-Forwarded-For names the client: comma-separated addresses, CIDRs, " +
      "loopback, linklocal, uniquelocal",
    fallback: () => "",
  },
};

/** The environment variable of an option: `DENOQUEUE_ENQUEUE_WAIT` for `enqueue-wait`. */
export function envName(flag: string): string {
  return `DENOQUEUE_${flag.toUpperCase().replaceAll("-", "_")}`;
}
