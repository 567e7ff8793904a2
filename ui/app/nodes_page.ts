/**
 * The Nodes view: every server sharing the store, the leader first, with its heartbeat's age,
 * its workers busy, its version and the job types it runs; a row per node, cards on a phone.
 * @module
 */

/// <reference lib="dom" />

import type { NodeView } from "./api_types.ts";
import { formatRelative } from "./format.ts";
import { html } from "./html.ts";
import { busyText, heartbeatText, LATE_HEARTBEAT_MS, orderNodes } from "./nodes.ts";
import { useNow } from "./use_now.ts";
import { useNodes } from "./use_nodes.ts";

function NodeRow({ node, now }: { node: NodeView; now: number }) {
  const late = node.heartbeatAgeMs > LATE_HEARTBEAT_MS;
  return html`
    <tr key=${node.id} data-testid="node-row" data-node=${node.id}>
      <th scope="row">
        <span class="node-name" title=${node.id}>${node.name}</span>
        ${node.leader
          ? html`
            <span class="badge leader-badge" data-testid="node-leader">leader</span>
          `
          : null}
        <span class="node-host small muted">${node.host}</span>
      </th>
      <td
        data-label="Heartbeat"
        class=${late ? "heartbeat-late" : ""}
        data-testid="node-heartbeat"
        title=${late ? "Late: the leader removes a node silent past --node-timeout" : undefined}
      >${heartbeatText(node.heartbeatAgeMs)}</td>
      <td data-label="Workers" data-testid="node-workers">${busyText(node)}</td>
      <td data-label="Types" class="node-types small" data-testid="node-types">
        ${node.types.join(", ") || "none"}
      </td>
      <td data-label="Version">${node.version}</td>
      <td data-label="Started" title=${node.startedAt}>${formatRelative(node.startedAt, now)}</td>
    </tr>
  `;
}

/** The Nodes page, at `#/nodes`. */
export function NodesPage() {
  const { nodes, error } = useNodes();
  const now = useNow();
  const leaders = nodes?.filter((node) => node.leader).length ?? 0;
  return html`
    <div class="page" data-testid="nodes-page">
      <div class="page-head">
        <h1>Nodes</h1>
        <p class="muted" data-testid="nodes-summary">
          ${nodes === undefined
            ? "Loading…"
            : `${nodes.length} node${nodes.length === 1 ? "" : "s"} on this store; ${
              leaders === 0 ? "no leader right now (one takes over within beats)" : "one leads"
            }. Updated every second.`}
        </p>
      </div>
      ${error === undefined
        ? null
        : html`<p class="notice notice-error" role="alert" data-testid="nodes-error">${error}</p>`}
      ${nodes === undefined ? null : html`
        <div class="table-scroll">
          <table class="table cards-narrow" data-testid="nodes-table">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Heartbeat</th>
                <th scope="col">Workers</th>
                <th scope="col">Types</th>
                <th scope="col">Version</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              ${orderNodes(nodes).map((node) =>
                html`<${NodeRow} key=${node.id} node=${node} now=${now} />`
              )}
            </tbody>
          </table>
        </div>
      `}
    </div>
  `;
}
