/**
 * What a queue is told about itself as a node (its name, heartbeat, timeout, load), and the
 * identity it registers with: its `owner` as id, the host, the version, the types it runs.
 * @module
 */

import { VERSION } from "../version.ts";
import type { NodeIdentity, NodeLoad } from "./node_heartbeat.ts";

/** A queue's options as a node of the cluster. */
export interface NodeOptions {
  /** What people call it. Default: the host name and the process id, `host:pid`. */
  name?: string;
  /** Milliseconds between heartbeats. Default 1,000. */
  heartbeatMs?: number;
  /**
   * Milliseconds without a heartbeat after which the node is dead: its jobs are rescued. Also
   * the leader lease. Default 10,000; at least twice `heartbeatMs`.
   */
  timeoutMs?: number;
  /** Its load at each beat (the pool's workers and how many are busy). Default: none. */
  load?: () => NodeLoad;
}

/** The identity a queue registers with: `owner` as id, the types it can run. */
export function nodeIdentity(
  owner: string,
  options: NodeOptions,
  types: string[],
  startedAt: number,
): NodeIdentity {
  const host = hostName();
  return {
    id: owner,
    name: options.name || `${host}:${Deno.pid}`,
    host,
    version: VERSION,
    startedAt,
    types: [...types].sort(),
  };
}

/** The host name, or `unknown` where reading it is not allowed. */
function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/** A process's name on its leases, and its node id: `host:pid:random` (`pid:random` unnamed). */
export function defaultOwner(): string {
  const suffix = `${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const host = hostName();
  return host === "unknown" ? suffix : `${host}:${suffix}`;
}
