/**
 * The leader lease in PostgreSQL: one row naming the node that runs maintenance and until when.
 * Taking it is one `INSERT … ON CONFLICT DO UPDATE … WHERE`: the row lock makes two nodes trying
 * at once take turns, and the second sees the first's lease.
 * @module
 */

import type { LeadParams } from "../node_store.ts";
import type { Queries } from "./connection.ts";

/** Takes or renews the lease unless another node holds it unexpired; whether `node` leads. */
export async function takeLease(sql: Queries, { node, now, until }: LeadParams): Promise<boolean> {
  const rows = await sql`
    INSERT INTO leader (id, node, until) VALUES (1, ${node}, ${until})
    ON CONFLICT (id) DO UPDATE SET node = excluded.node, until = excluded.until
      WHERE leader.node = excluded.node OR leader.until < ${now}
    RETURNING node`;
  return rows.length > 0;
}

/** Gives the lease up, if `node` holds it. */
export async function giveUpLease(sql: Queries, node: string): Promise<void> {
  await sql`DELETE FROM leader WHERE node = ${node}`;
}

/** The node holding an unexpired lease at `now`. */
export async function leaseHolder(sql: Queries, now: number): Promise<string | undefined> {
  const [row] = await sql<{ node: string }[]>`SELECT node FROM leader WHERE until >= ${now}`;
  return row?.node;
}
