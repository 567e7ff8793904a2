/**
 * A PostgreSQL store that cannot be used stops start-up with one line naming the URL without
 * its password and the reason, exit code 1: real `main.ts` processes against the private
 * cluster (a wrong password, a missing database, a port nobody listens on, a schema written by
 * a newer DenoQueue).
 */

import assert from "node:assert/strict";
import { PASSWORD_USER, PASSWORD_USER_PASSWORD, postgresCluster } from "../../support/postgres.ts";
import { freePort, runService } from "../../support/process.ts";
import { SCHEMA_VERSION } from "../../../queue/store/postgres/schema.ts";

/** Runs the service on `store` (and `args`); asserts exit 1 and returns its output, trimmed. */
async function refusal(store: string, args: string[] = []): Promise<string> {
  const { code, output } = await runService(["--port", "0", "--store", store, ...args]);
  assert.equal(code, 1, output);
  return output.trim();
}

Deno.test("A wrong password stops start-up, naming the URL without the password", async () => {
  const { port } = await postgresCluster();
  const store =
    `postgres://${PASSWORD_USER}:wrong-${PASSWORD_USER_PASSWORD}@127.0.0.1:${port}/postgres`;
  const output = await refusal(store);
  assert.equal(
    output,
    `Cannot use the database postgres://${PASSWORD_USER}:***@127.0.0.1:${port}/postgres: ` +
      `password authentication failed for user "${PASSWORD_USER}"`,
  );
  assert.ok(!output.includes(PASSWORD_USER_PASSWORD));
});

Deno.test("A missing database stops start-up", async () => {
  const cluster = await postgresCluster();
  const output = await refusal(cluster.url("no_such_db"));
  assert.equal(
    output,
    `Cannot use the database postgres://postgres@127.0.0.1:${cluster.port}/no_such_db: ` +
      `database "no_such_db" does not exist`,
  );
});

Deno.test("A server that does not answer stops start-up", async () => {
  const port = freePort();
  const output = await refusal(`postgres://queue:hunter2@127.0.0.1:${port}/jobs`);
  assert.equal(
    output,
    `Cannot use the database postgres://queue:***@127.0.0.1:${port}/jobs: ` +
      `connection refused (is PostgreSQL running at 127.0.0.1:${port}?)`,
  );
});

Deno.test("A schema written by a newer DenoQueue stops start-up and is left as it is", async () => {
  const cluster = await postgresCluster();
  const url = await cluster.createDatabase();
  const database = new URL(url).pathname.slice(1);
  await cluster.psql(
    `CREATE SCHEMA future; CREATE TABLE future.denoqueue_schema (version integer NOT NULL);
     INSERT INTO future.denoqueue_schema VALUES (99);`,
    database,
  );
  const output = await refusal(url, ["--schema", "future"]);
  assert.equal(
    output,
    `Cannot use the database ${url}: schema future was written by a newer DenoQueue ` +
      `(version 99; this one knows up to ${SCHEMA_VERSION})`,
  );
  const tables = await cluster.psql(
    "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'future'",
    database,
  );
  assert.equal(tables.trim(), "denoqueue_schema", "nothing created in it");
});
