/**
 * The `Config` the service's options make up, and how an option is described (`OptionSpec`).
 * @module
 */

import type { LogFormat, LogLevel } from "../../queue/primitives/logger.ts";

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
  /** Jobs claimed for each worker beyond those it runs, handed over as places free up. */
  claimAhead: number;
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
