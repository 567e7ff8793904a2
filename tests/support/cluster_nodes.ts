/**
 * Cluster test support: DenoQueue server processes on one PostgreSQL database, with short beats
 * and node timeouts so that deaths and handovers take a second or two, and the few API calls
 * the cluster tests make of them.
 * @module
 */

import assert from "node:assert/strict";
import type { NodeView } from "../../api/routes/nodes.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import type { JobView, StatsView } from "./api_server.ts";
import { type ServiceProcess, startService } from "./process.ts";

/** Beats of 250 ms, dead after 2 s of silence; job leases of 60 s, so rescue never waits on them. */
export const CLUSTER_ARGS: string[] = [
  ...["--heartbeat", "250ms", "--node-timeout", "2s", "--lease", "60s"],
];

/** Options of {@linkcode startNode}. */
export interface NodeOptions {
  /** Handler modules (default: the fixtures). */
  handlers?: string[];
  /** Web Workers (default 1). */
  workers?: number;
  /** Jobs per worker (default 8). */
  concurrency?: number;
  /** More flags, after the others. */
  args?: string[];
}

/** Starts a server on `database` with {@linkcode CLUSTER_ARGS}. */
export async function startNode(
  database: string,
  { handlers = [FIXTURES], workers = 1, concurrency = 8, args = [] }: NodeOptions = {},
): Promise<ServiceProcess> {
  return await startService([
    ...["--store", database, "--handlers", handlers.join(",")],
    ...["--workers", String(workers), "--concurrency", String(concurrency)],
    ...CLUSTER_ARGS,
    ...args,
  ]);
}

/** `GET path` on `node`, asserting a 200. */
export async function getJson<T>(node: ServiceProcess, path: string): Promise<T> {
  const response = await fetch(`${node.url}${path}`);
  assert.equal(response.status, 200, path);
  return await response.json();
}

/** `POST path` with a JSON body (or none); the body of the answer is discarded. */
export async function post(node: ServiceProcess, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${node.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.body?.cancel();
  return response;
}

/** Enqueues `jobs` in one request, asserting a 201. */
export async function enqueue(node: ServiceProcess, jobs: unknown[]): Promise<JobView[]> {
  const response = await fetch(`${node.url}/api/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(jobs),
  });
  assert.equal(response.status, 201);
  return await response.json();
}

/** The nodes `node` lists. */
export async function nodesSeenBy(node: ServiceProcess): Promise<NodeView[]> {
  return await getJson<NodeView[]>(node, "/api/nodes");
}

/** The leader's id as `node` sees it, if any. */
export async function leaderSeenBy(node: ServiceProcess): Promise<string | undefined> {
  return (await nodesSeenBy(node)).find((n) => n.leader)?.id;
}

/** The id a node registered with: the only node it lists while alone. */
export async function ownId(node: ServiceProcess): Promise<string> {
  const nodes = await nodesSeenBy(node);
  assert.equal(nodes.length, 1);
  return nodes[0].id;
}

/** `GET /api/stats` of `node`. */
export async function statsOf(node: ServiceProcess): Promise<StatsView> {
  return await getJson<StatsView>(node, "/api/stats");
}

/** Sends `signal`; waits for the exit unless it only stops the process (SIGSTOP). */
export async function stop(node: ServiceProcess, signal: Deno.Signal): Promise<void> {
  try {
    node.child.kill(signal);
  } catch { /* gone already */ }
  if (signal !== "SIGSTOP") await node.exited;
}

/** The node of `process` among `nodes`: named `host:pid` by default. */
export function nodeOf(nodes: NodeView[], process: ServiceProcess): NodeView | undefined {
  return nodes.find((n) => n.name.endsWith(`:${process.child.pid}`));
}
