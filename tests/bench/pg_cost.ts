/**
 * What PostgreSQL spends, read around a benchmark phase: statements run (`pg_stat_statements`,
 * which the private cluster loads once asked), WAL bytes written (`pg_current_wal_lsn`), and
 * the CPU time of every server process (from `/proc`, the postmaster's children), plus that of
 * the DenoQueue processes named. Not the commits of `pg_stat_database` nor `pg_stat_wal`: other
 * backends flush those counters a second or more late, which a phase of a second cannot use.
 * @module
 */

import type { PostgresCluster } from "../support/postgres.ts";

/** Counters at one moment. */
export interface PgCounters {
  statements: number;
  /** Calls by statement kind (first word), e.g. INSERT, UPDATE, SELECT, BEGIN, COMMIT. */
  byKind: Record<string, number>;
  walBytes: number;
  postgresCpuMs: number;
  nodesCpuMs: number;
}

/** Loads `pg_stat_statements` into the cluster (a restart) and creates it in `database`. */
export async function trackStatements(cluster: PostgresCluster, database: string): Promise<void> {
  await cluster.psql("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  await cluster.stop();
  await cluster.start();
  await cluster.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", database);
}

/** CPU time (user + system) of a process, in ms; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ = 100
  } catch {
    return 0;
  }
}

/** The PIDs of the postmaster and its children. */
export function postgresPids(cluster: PostgresCluster): number[] {
  const postmaster = Number(
    Deno.readTextFileSync(`${cluster.dir}/data/postmaster.pid`).split("\n")[0],
  );
  const pids = [postmaster];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === postmaster) pids.push(Number(entry.name));
    } catch { /* gone */ }
  }
  return pids;
}

/** Reads the counters now. */
export async function readCounters(
  cluster: PostgresCluster,
  database: string,
  nodePids: number[],
): Promise<PgCounters> {
  const kinds = await cluster.psql(
    "SELECT upper(split_part(ltrim(query), ' ', 1)), sum(calls) FROM pg_stat_statements " +
      "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) " +
      "AND query NOT LIKE '%pg_stat_statements%' GROUP BY 1",
    database,
  );
  const byKind: Record<string, number> = {};
  for (const line of kinds.trim().split("\n").filter(Boolean)) {
    const [kind, calls] = line.split("|");
    byKind[kind] = Number(calls);
  }
  const walBytes = Number(
    await cluster.psql("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", database),
  );
  return {
    statements: Object.values(byKind).reduce((a, b) => a + b, 0),
    byKind,
    walBytes,
    postgresCpuMs: postgresPids(cluster).reduce((sum, pid) => sum + cpuMs(pid), 0),
    nodesCpuMs: nodePids.reduce((sum, pid) => sum + cpuMs(pid), 0),
  };
}

/** What a phase cost, per job, from the counters before and after it. */
export function costPerJob(before: PgCounters, after: PgCounters, jobs: number) {
  const per = (a: number, b: number, digits = 2) =>
    Math.round((b - a) / jobs * 10 ** digits) / 10 ** digits;
  const byKind: Record<string, number> = {};
  for (const [kind, calls] of Object.entries(after.byKind)) {
    const delta = calls - (before.byKind[kind] ?? 0);
    if (delta > 0) byKind[kind] = Math.round(delta / jobs * 1000) / 1000;
  }
  return {
    statements: per(before.statements, after.statements, 3),
    byKind,
    walBytes: per(before.walBytes, after.walBytes, 0),
    postgresCpuUs: per(before.postgresCpuMs * 1000, after.postgresCpuMs * 1000, 0),
    nodesCpuUs: per(before.nodesCpuMs * 1000, after.nodesCpuMs * 1000, 0),
  };
}
