/**
 * A private PostgreSQL cluster for the tests of one test process: `initdb` and `pg_ctl` from
 * Debian's packages, run as the `postgres` user (`initdb` refuses root) in a temporary folder
 * chowned to it, on a free port of 127.0.0.1 with its socket inside the folder. The server
 * keeps its durability defaults (`fsync`, `synchronous_commit` on). `postgres` logs in without
 * a password from 127.0.0.1; `denoqueue_pw` needs its password (for the wrong-password test).
 * Stopped by its PID, at the latest when the test process unloads. Missing binaries fail the
 * test that asks for a cluster: `.ci/run` installs them.
 * @module
 */

import { waitFor } from "./wait.ts";
import { freePort } from "./process.ts";

/** The user that logs in only with {@linkcode PASSWORD_USER_PASSWORD}. */
export const PASSWORD_USER = "denoqueue_pw";
/** The password of {@linkcode PASSWORD_USER}. */
export const PASSWORD_USER_PASSWORD = "s3cret-pw";

/** A running private cluster. */
export interface PostgresCluster {
  port: number;
  /** The folder holding the data directory, the socket and the log. */
  dir: string;
  /** The URL of `database` as the superuser `postgres` (trusted from 127.0.0.1). */
  url(database?: string): string;
  /** Creates a new, empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Runs SQL as the superuser with `psql` (for what the tests do behind the store's back). */
  psql(sql: string, database?: string): Promise<string>;
  /** Stops the server (fast shutdown: connections are cut) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, after {@linkcode stop} or {@linkcode crash}. */
  start(): Promise<void>;
  /**
   * Stops the server as a crash would (an immediate shutdown, `SIGQUIT`: no checkpoint, what
   * was not yet written of the WAL is lost, recovery at the next start) and waits until it is
   * gone.
   */
  crash(): Promise<void>;
}

/** The newest PostgreSQL found under /usr/lib/postgresql, e.g. `/usr/lib/postgresql/15/bin`. */
export function postgresBin(): string {
  let versions: number[] = [];
  try {
    versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((entry) => Number(entry.name))
      .filter((version) => Number.isInteger(version)).sort((a, b) => b - a);
  } catch { /* none installed */ }
  for (const version of versions) {
    const bin = `/usr/lib/postgresql/${version}/bin`;
    try {
      Deno.statSync(`${bin}/initdb`);
      return bin;
    } catch { /* look further */ }
  }
  throw new Error(
    "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the PostgreSQL store " +
      "tests need Debian's postgresql package (.ci/run installs it: apt-get install postgresql)",
  );
}

let shared: Promise<PostgresCluster> | undefined;

/** The cluster of this test process, started on first use. */
export function postgresCluster(): Promise<PostgresCluster> {
  shared ??= startCluster();
  return shared;
}

let databases = 0;

/** Runs `command` as the `postgres` user; throws with its output if it fails. */
async function asPostgres(command: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command("runuser", {
    args: ["-u", "postgres", "--", ...command],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  const output = decoder.decode(stdout) + decoder.decode(stderr);
  if (code !== 0) throw new Error(`${command.join(" ")} failed (exit ${code}): ${output}`);
  return output;
}

/** The uid and gid of the `postgres` user. */
async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const read = async (flag: string) => {
    const { stdout } = await new Deno.Command("id", { args: [flag, "postgres"] }).output();
    return Number(new TextDecoder().decode(stdout).trim());
  };
  return { uid: await read("-u"), gid: await read("-g") };
}

/** Starts a new cluster: about a second. */
async function startCluster(): Promise<PostgresCluster> {
  const bin = postgresBin();
  const dir = await Deno.makeTempDir({ prefix: "denoqueue-pg-" });
  const { uid, gid } = await postgresIds();
  await Deno.chown(dir, uid, gid);
  const data = `${dir}/data`;
  const port = freePort();
  await asPostgres([`${bin}/initdb`, "-D", data, "-U", "postgres", "-A", "trust", "-N"]);
  await Deno.writeTextFile(
    `${data}/pg_hba.conf`,
    [
      "local all all trust",
      `host all ${PASSWORD_USER} 127.0.0.1/32 scram-sha-256`,
      "host all all 127.0.0.1/32 trust",
    ].join("\n") + "\n",
  );
  let pid = 0;
  const start = async () => {
    await asPostgres([
      `${bin}/pg_ctl`,
      "start",
      "-D",
      data,
      "-w",
      "-l",
      `${dir}/server.log`,
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    ]);
    pid = Number((await Deno.readTextFile(`${data}/postmaster.pid`)).split("\n")[0]);
  };
  const stopNow = () => {
    try {
      Deno.kill(pid, "SIGQUIT");
    } catch { /* gone already */ }
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* what a quitting server still held goes with the temporary folder */ }
  };
  await start();
  // At the latest when the test process ends: an immediate stop, nothing to keep.
  globalThis.addEventListener("unload", stopNow);
  const psql = (sql: string, database = "postgres") =>
    asPostgres([
      `${bin}/psql`,
      "-h",
      dir,
      "-p",
      String(port),
      "-U",
      "postgres",
      "-d",
      database,
      "-v",
      "ON_ERROR_STOP=1",
      "-qAt",
    ], sql);
  await psql(`CREATE ROLE ${PASSWORD_USER} LOGIN PASSWORD '${PASSWORD_USER_PASSWORD}'`);
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    url,
    psql,
    async createDatabase() {
      const name = `test_${Deno.pid}_${++databases}`;
      await psql(`CREATE DATABASE ${name}`);
      return url(name);
    },
    async stop() {
      // SIGINT: a fast shutdown, every connection cut; the postmaster is gone once it is done.
      Deno.kill(pid, "SIGINT");
      await waitFor(() => !alive(pid), { message: `PostgreSQL ${pid} to stop`, timeout: 20_000 });
    },
    start,
    async crash() {
      Deno.kill(pid, "SIGQUIT");
      await waitFor(() => !alive(pid), { message: `PostgreSQL ${pid} to quit`, timeout: 20_000 });
    },
  };
}

/** Whether a process with this PID exists. */
function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}
