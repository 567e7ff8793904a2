/**
 * The service's options: each one's flag, kind, limits, description and default (the
 * `Config` they make up is in `config.ts`). Flags are also read as `DENOQUEUE_<NAME>` (`PORT`
 * too).
 * @module
 */

import { LOG_LEVELS } from "../../queue/primitives/logger.ts";
import type { OptionSpec } from "./config.ts";
import { STORE_OPTIONS } from "./store_options.ts";

export type { Config, Kind, OptionSpec } from "./config.ts";

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
  "claim-ahead": {
    key: "claimAhead",
    kind: "integer",
    min: 0,
    max: 10_000,
    description:
      "Jobs claimed for each worker beyond those it runs, so it never waits on the store between jobs (0: claim only for free places)",
    fallback: () => "256",
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
    description:
      "Your handler module(s), comma-separated paths or URLs, loaded into the workers of their types",
    fallback: () => "",
  },
  ...STORE_OPTIONS,
  "retain-completed": {
    key: "retainCompleted",
    kind: "duration",
    min: 0,
    max: 365 * 86_400_000,
    description: "How long completed jobs are kept; 0: each is removed as it completes",
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
