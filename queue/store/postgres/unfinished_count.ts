/**
 * The unfinished jobs stored now, for the cluster's capacity: three counts in one statement
 * (one snapshot), each along the partial index of its status, so the read touches only
 * unfinished rows and no counter row that every enqueue would update.
 * @module
 */

import type { Queries } from "./connection.ts";

/** Queued, scheduled and in-progress jobs, as one snapshot sees them. */
export async function countUnfinished(sql: Queries): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`
    SELECT (SELECT count(*) FROM jobs WHERE status = 'queued')
         + (SELECT count(*) FROM jobs WHERE status = 'scheduled')
         + (SELECT count(*) FROM jobs WHERE status = 'in-progress') AS n`;
  return Number(n);
}
