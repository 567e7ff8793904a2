/**
 * The nodes part in PostgreSQL: the `nodes` table (a row per server sharing the schema, beaten
 * every heartbeat) and the jobs a node holds. Written on the node's own connection (see
 * `node_connection.ts`), so a pool busy with claims never delays a beat.
 * @module
 */

import type { Job } from "../../job.ts";
import type { NodeBeat, NodeRecord } from "../node_store.ts";
import { type NodeColumns, nodeFromRow } from "../row_fields.ts";
import type { Queries } from "./connection.ts";
import { type JobRow, rowToJob } from "./rows.ts";

/** Migration 2: the nodes and the leader lease. */
export const NODE_TABLES = `CREATE TABLE nodes (
     id text PRIMARY KEY,
     name text NOT NULL,
     host text NOT NULL,
     version text NOT NULL,
     started_at bigint NOT NULL,
     heartbeat_at bigint NOT NULL,
     workers integer NOT NULL,
     busy integer NOT NULL,
     types text[] NOT NULL
   );
   CREATE TABLE leader (
     id integer PRIMARY KEY CHECK (id = 1),
     node text NOT NULL,
     until bigint NOT NULL
   );
   CREATE INDEX jobs_held ON jobs (lease_owner) WHERE status = 'in-progress';`;

/** A row of `nodes` as postgres.js reads it: `types` is a text array. */
interface NodeRow extends NodeColumns {
  types: string[];
}

function rowToNode(row: NodeRow): NodeRecord {
  return nodeFromRow(row, [...row.types]);
}

/** Stores `node`, replacing its row if there is one. */
export async function upsertNodeRow(sql: Queries, node: NodeRecord): Promise<void> {
  await sql`
    INSERT INTO nodes (id, name, host, version, started_at, heartbeat_at, workers, busy, types)
    VALUES (${node.id}, ${node.name}, ${node.host}, ${node.version}, ${node.startedAt},
            ${node.heartbeatAt}, ${node.workers}, ${node.busy}, ${node.types}::text[])
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host,
      version = excluded.version, started_at = excluded.started_at,
      heartbeat_at = excluded.heartbeat_at, workers = excluded.workers, busy = excluded.busy,
      types = excluded.types`;
}

/** Records a heartbeat; false when the node has no row. */
export async function beatNodeRow(sql: Queries, beat: NodeBeat): Promise<boolean> {
  const result = await sql`
    UPDATE nodes SET heartbeat_at = ${beat.at}, workers = ${beat.workers}, busy = ${beat.busy}
     WHERE id = ${beat.id}`;
  return result.count > 0;
}

/** Every node, oldest start first. */
export async function listNodeRows(sql: Queries): Promise<NodeRecord[]> {
  const rows = await sql<NodeRow[]>`SELECT * FROM nodes ORDER BY started_at, id`;
  return rows.map(rowToNode);
}

/** Removes the node's row (only if staler than `staleBefore`, when given). */
export async function removeNodeRow(
  sql: Queries,
  { id, staleBefore }: { id: string; staleBefore?: number },
): Promise<boolean> {
  const result = await sql`
    DELETE FROM nodes WHERE id = ${id} AND heartbeat_at < ${
    staleBefore ?? Number.MAX_SAFE_INTEGER
  }`;
  return result.count > 0;
}

/** In-progress jobs whose lease `node` holds, oldest first. */
export async function heldJobRows(
  sql: Queries,
  { node, limit }: { node: string; limit: number },
): Promise<Job[]> {
  const rows = await sql<JobRow[]>`
    SELECT * FROM jobs WHERE status = 'in-progress' AND lease_owner = ${node}
     ORDER BY seq LIMIT ${limit}`;
  return rows.map(rowToJob);
}
