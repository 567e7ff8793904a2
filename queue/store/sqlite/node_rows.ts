/**
 * The nodes part in the file: the `nodes` table (one row per process, here the one that holds
 * the file) and the one-row `leader` lease, both written through the group commit.
 * @module
 */

import type { Job } from "../../job.ts";
import type { LeadParams, NodeBeat, NodeRecord } from "../node_store.ts";
import { type NodeColumns, nodeFromRow } from "../row_fields.ts";
import { type JobRow, rowToJob } from "./rows.ts";
import type { StatementCache } from "./statement_cache.ts";

/** A row of `nodes` as `node:sqlite` reads it: `types` is JSON text. */
interface NodeRow extends NodeColumns {
  types: string;
}

function rowToNode(row: NodeRow): NodeRecord {
  return nodeFromRow(row, JSON.parse(row.types));
}

/** Stores `node`, replacing its row if there is one. */
export function upsertNodeRow(statements: StatementCache, node: NodeRecord): void {
  statements.prepare(
    `INSERT OR REPLACE INTO nodes
       (id, name, host, version, started_at, heartbeat_at, workers, busy, types)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    node.id,
    node.name,
    node.host,
    node.version,
    node.startedAt,
    node.heartbeatAt,
    node.workers,
    node.busy,
    JSON.stringify(node.types),
  );
}

/** Records a heartbeat; false when the node has no row. */
export function beatNodeRow(statements: StatementCache, beat: NodeBeat): boolean {
  const { changes } = statements.prepare(
    "UPDATE nodes SET heartbeat_at = ?, workers = ?, busy = ? WHERE id = ?",
  ).run(beat.at, beat.workers, beat.busy, beat.id);
  return Number(changes) > 0;
}

/** Every node, oldest start first. */
export function listNodeRows(statements: StatementCache): NodeRecord[] {
  const rows = statements.prepare("SELECT * FROM nodes ORDER BY started_at, id").all();
  return (rows as unknown as NodeRow[]).map(rowToNode);
}

/** Removes the node's row (only if staler than `staleBefore`, when given). */
export function removeNodeRow(
  statements: StatementCache,
  { id, staleBefore }: { id: string; staleBefore?: number },
): boolean {
  const { changes } = statements.prepare(
    "DELETE FROM nodes WHERE id = ? AND heartbeat_at < ?",
  ).run(id, staleBefore ?? Number.MAX_SAFE_INTEGER);
  return Number(changes) > 0;
}

/** In-progress jobs whose lease `node` holds, oldest first. */
export function heldJobRows(
  statements: StatementCache,
  { node, limit }: { node: string; limit: number },
): Job[] {
  const rows = statements.prepare(
    "SELECT * FROM jobs WHERE status = 'in-progress' AND lease_owner = ? ORDER BY seq LIMIT ?",
  ).all(node, limit) as unknown as JobRow[];
  return rows.map(rowToJob);
}

/** Takes or renews the lease unless another node holds it unexpired; whether `node` leads. */
export function leadRow(statements: StatementCache, { node, now, until }: LeadParams): boolean {
  const row = statements.prepare(
    `INSERT INTO leader (id, node, until) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET node = excluded.node, until = excluded.until
         WHERE leader.node = excluded.node OR leader.until < ?
       RETURNING node`,
  ).get(node, until, now);
  return row !== undefined;
}

/** Gives the lease up, if `node` holds it. */
export function resignRow(statements: StatementCache, node: string): void {
  statements.prepare("DELETE FROM leader WHERE node = ?").run(node);
}

/** The node holding an unexpired lease at `now`. */
export function leaderRow(statements: StatementCache, now: number): string | undefined {
  const row = statements.prepare("SELECT node FROM leader WHERE until >= ?").get(now) as
    | { node: string }
    | undefined;
  return row?.node;
}
