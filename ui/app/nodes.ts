/**
 * How the Nodes view orders and words the nodes of `GET /api/nodes`: pure, so Deno tests it.
 * @module
 */

import type { NodeView } from "./api_types.ts";

/**
 * The leader first, then by name: the order stays put from one poll to the next.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderNodes } from "./nodes.ts";
 * const node = { id: "", host: "h", version: "0", startedAt: "", heartbeatAgeMs: 0, workers: 1, busy: 0, types: [] };
 * const nodes = [{ ...node, name: "a", leader: false }, { ...node, name: "b", leader: true }];
 * assert.deepEqual(orderNodes(nodes).map((n) => n.name), ["b", "a"]);
 * ```
 */
export function orderNodes(nodes: readonly NodeView[]): NodeView[] {
  return [...nodes].sort((a, b) =>
    Number(b.leader) - Number(a.leader) || a.name.localeCompare(b.name) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * A heartbeat's age: `0.3 s ago` under 10 s, then whole seconds, minutes past two.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heartbeatText } from "./nodes.ts";
 * assert.equal(heartbeatText(250), "0.3 s ago");
 * assert.equal(heartbeatText(42_000), "42 s ago");
 * assert.equal(heartbeatText(300_000), "5 min ago");
 * ```
 */
export function heartbeatText(ageMs: number): string {
  if (ageMs < 10_000) return `${(ageMs / 1000).toFixed(1)} s ago`;
  if (ageMs < 120_000) return `${Math.round(ageMs / 1000)} s ago`;
  return `${Math.round(ageMs / 60_000)} min ago`;
}

/**
 * A heartbeat late by this much is shown as late: past the default beat many times over, and
 * under the default node timeout (10 s), after which the leader removes the node.
 */
export const LATE_HEARTBEAT_MS = 3_000;

/**
 * Workers busy of those started: `2 of 4 busy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { busyText } from "./nodes.ts";
 * assert.equal(busyText({ busy: 1, workers: 2 }), "1 of 2 busy");
 * assert.equal(busyText({ busy: 0, workers: 0 }), "no worker started");
 * ```
 */
export function busyText(node: Pick<NodeView, "busy" | "workers">): string {
  return node.workers === 0 ? "no worker started" : `${node.busy} of ${node.workers} busy`;
}
