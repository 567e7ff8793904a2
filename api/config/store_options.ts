/**
 * The options of where jobs live and how the processes sharing that place work together: the
 * store, its durability, PostgreSQL's schema and commit mode, the lease, and the cluster's
 * heartbeat and node timeout. Part of `OPTIONS`, in `--help` order.
 * @module
 */

import type { OptionSpec } from "./config.ts";

/** Storage and cluster options, by flag name. */
export const STORE_OPTIONS: Record<string, OptionSpec> = {
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
};
