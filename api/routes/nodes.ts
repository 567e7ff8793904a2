/**
 * `GET /api/nodes`: the nodes sharing the store, each with its heartbeat's age, its workers
 * and whether it leads. Alone on a store, the one node.
 * @module
 */

import { Hono } from "hono";
import { allow } from "../auth/route_rule.ts";
import type { AppDeps } from "../deps.ts";

/** A node as `GET /api/nodes` shows it. */
export interface NodeView {
  id: string;
  name: string;
  host: string;
  version: string;
  /** ISO 8601. */
  startedAt: string;
  /** Milliseconds since its last heartbeat, by this server's clock. */
  heartbeatAgeMs: number;
  workers: number;
  busy: number;
  types: string[];
  leader: boolean;
}

export function nodeRoutes(deps: Pick<AppDeps, "queue">, now: () => number = Date.now): Hono {
  const app = new Hono();
  app.get("/nodes", allow("viewer"), async (c) => {
    const { store } = deps.queue;
    const at = now();
    const [nodes, leader] = await Promise.all([store.listNodes(), store.leader({ now: at })]);
    return c.json(nodes.map((node): NodeView => ({
      id: node.id,
      name: node.name,
      host: node.host,
      version: node.version,
      startedAt: new Date(node.startedAt).toISOString(),
      heartbeatAgeMs: Math.max(0, at - node.heartbeatAt),
      workers: node.workers,
      busy: node.busy,
      types: node.types,
      leader: node.id === leader,
    })));
  });
  return app;
}
