/**
 * What only the SQLite store does: migrations, refusing bad files, the exclusive lock, and
 * failing writes cleanly when the disk is full.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createServer } from "../../../api/server.ts";
import { StoreOpenError } from "../../../queue/store/errors.ts";
import { SqliteStore } from "../../../queue/store/sqlite/sqlite_store.ts";
import { migrate, SCHEMA_VERSION, schemaVersion } from "../../../queue/store/sqlite/schema.ts";
import { APP_REQUEST_HOSTS } from "../../support/api_server.ts";
import { waitFor } from "../../support/wait.ts";
import { captureLog } from "../../support/log_capture.ts";

function tempPath(): string {
  return `${Deno.makeTempDirSync({ prefix: "denoqueue-sqlite-" })}/jobs.db`;
}

Deno.test("SqliteStore.open() creates the schema in an empty file", async () => {
  const path = tempPath();
  const store = SqliteStore.open(path);
  assert.equal(store.migratedFrom, 0);
  await store.close();
  const db = new DatabaseSync(path);
  assert.equal(schemaVersion(db), SCHEMA_VERSION);
  const columns = db.prepare("PRAGMA table_info(jobs)").all().map((c) => c.name);
  assert.ok(columns.includes("lease_expires_at"));
  const mode = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
  assert.equal(mode.journal_mode, "wal");
  db.close();
});

Deno.test("SqliteStore.open() migrates a database of the previous schema, keeping its jobs", async () => {
  const path = tempPath();
  const old = new DatabaseSync(path);
  migrate(old, SCHEMA_VERSION - 1);
  old.prepare(
    `INSERT INTO jobs (seq, id, status, type, run_at, data) VALUES (7, 'old-1', 'queued', 'noop',
       1, '{"payload":{"a":1},"maxAttempts":3,"timeout":30000,"backoff":{"base":1000,"factor":2,
       "cap":3600000},"createdAt":1,"updatedAt":1,"progress":0,"attempts":[],"logs":[]}')`,
  ).run();
  old.close();
  const store = SqliteStore.open(path);
  try {
    assert.equal(store.migratedFrom, SCHEMA_VERSION - 1);
    const job = await store.get({ id: "old-1" });
    assert.deepEqual(job?.payload, { a: 1 });
    assert.equal(job?.seq, 7);
    const [next] = await store.insert({ jobs: [{ ...job!, id: "new-1", seq: 0 }] });
    assert.equal(next.seq, 8, "new jobs follow the migrated ones");
    assert.equal(job?.leaseOwner, undefined);
    assert.equal((await store.counts()).byStatus.queued, 2);
    const [claimed] = await store.claim({
      limit: 1,
      workerId: "w1",
      now: 5,
      leaseOwner: "me",
      leaseUntil: 10,
    });
    assert.equal(claimed.leaseExpiresAt, 10);
  } finally {
    await store.close();
  }
});

Deno.test("SqliteStore.open() leaves no lock file behind when it refuses a file", () => {
  const notSqlite = tempPath();
  Deno.writeTextFileSync(notSqlite, "# A README, say\n".repeat(200));
  assert.throws(() => SqliteStore.open(notSqlite), StoreOpenError);
  assert.throws(() => Deno.statSync(`${notSqlite}.lock`), Deno.errors.NotFound);
});

Deno.test("SqliteStore.open() says a path it may not use cannot hold a database", () => {
  assert.throws(
    () => SqliteStore.open("/proc/denoqueue-nope/jobs.db"),
    (error: Error) =>
      error instanceof StoreOpenError &&
      // Without --allow-all Deno refuses the path itself; with it, the system does.
      /"\/proc\/denoqueue-nope" cannot be used for a database|mkdir '\/proc\/denoqueue-nope'/
        .test(error.message) &&
      !/--allow/.test(error.message),
  );
});

Deno.test("SqliteStore.open() refuses a corrupt file, a foreign database and a newer schema", () => {
  const corrupt = tempPath();
  Deno.writeTextFileSync(corrupt, "this is not a database ".repeat(200));
  assert.throws(() => SqliteStore.open(corrupt), (error: Error) => {
    assert.ok(error instanceof StoreOpenError);
    assert.match(error.message, /jobs\.db: file is not a database \(the file is corrupt/);
    return true;
  });

  const foreign = tempPath();
  const other = new DatabaseSync(foreign);
  other.exec("CREATE TABLE invoices (id INTEGER)");
  other.close();
  assert.throws(() => SqliteStore.open(foreign), /a SQLite database, but not one of DenoQueue's/);

  const newer = tempPath();
  const future = new DatabaseSync(newer);
  migrate(future);
  future.exec(`UPDATE denoqueue_schema SET version = ${SCHEMA_VERSION + 1}`);
  future.close();
  assert.throws(() => SqliteStore.open(newer), /written by a newer DenoQueue/);
});

Deno.test("SqliteStore.open() refuses a file another store holds", async () => {
  const path = tempPath();
  const first = SqliteStore.open(path);
  try {
    assert.throws(() => SqliteStore.open(path), /locked \(is another DenoQueue running on it\?\)/);
  } finally {
    await first.close();
  }
  const again = SqliteStore.open(path); // released on close
  await again.close();
});

Deno.test("SqliteStore.open() refuses a location it cannot write", () => {
  assert.throws(
    () => SqliteStore.open("/proc/denoqueue-test/jobs.db"),
    (error: Error) => error instanceof StoreOpenError && /denoqueue-test/.test(error.message),
  );
});

Deno.test("POST /api/jobs answers 503 when the disk is full and stores nothing of the batch", async () => {
  const store = SqliteStore.open(tempPath(), { pragmas: { max_page_count: 64 } });
  const log = captureLog("info");
  const server = await createServer({
    store,
    workers: 1,
    capacity: 100_000,
    allowedHosts: APP_REQUEST_HOSTS,
    logger: log.logger,
  });
  try {
    const batch = Array.from({ length: 200 }, (_, i) => ({
      type: "sleep",
      payload: { ms: 60_000 + i },
      options: { delay: 3_600_000 },
    }));
    let stored = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      const response = await server.app.request("/api/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(batch),
      });
      if (response.status === 201) {
        stored += (await response.json()).length;
      } else refused = response;
    }
    assert.ok(refused, "the disk filled up");
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "1");
    const body = await refused.json();
    assert.equal(body.error.code, "storage_unavailable");
    assert.match(body.error.message, /full/);
    // Logged once, with the id the answer gave the client.
    const logged = log.records.filter((record) => record.fields.requestId === body.error.requestId);
    assert.deepEqual(logged.map((record) => [record.level, record.msg]), [
      ["error", body.error.message],
    ]);
    const { byStatus, capacity } = await server.queue.stats();
    assert.equal(byStatus.scheduled, stored, "counts hold only acknowledged jobs");
    assert.equal(capacity.used, stored, "the refused batch gave its room back");
    const listed = await server.queue.list({ limit: 1000, status: "scheduled" });
    assert.equal(Math.min(listed.length, 1000), Math.min(stored, 1000));
    const healthy = await server.app.request("/healthz");
    assert.equal(healthy.status, 200);
  } finally {
    await server.shutdown();
  }
});

Deno.test("SqliteStore keeps the WAL short with checkpoints from its worker", async () => {
  const path = tempPath();
  const store = SqliteStore.open(path, {
    pragmas: { journal_size_limit: 256 * 1024 },
    walLimitPages: 2000,
  });
  const job = (id: string) => ({
    id,
    seq: 0,
    type: "noop",
    payload: {},
    status: "completed" as const,
    maxAttempts: 1,
    timeout: 1000,
    backoff: { base: 1, factor: 2, cap: 1 },
    createdAt: 1,
    runAt: 1,
    updatedAt: 1,
    finishedAt: 1,
    progress: 100,
    attempts: [],
    logs: [],
  });
  try {
    // 99 commits: the main connection never checkpoints (wal_autocheckpoint = 0), and the
    // worker is asked to only at the 100th, so the WAL holds at least a page for each. (Later
    // its size depends on when the worker's checkpoints end: a commit after one starts over.)
    for (let i = 0; i < 99; i++) await store.insert({ jobs: [job(`a${i}`)] });
    assert.ok(Deno.statSync(`${path}-wal`).size > 99 * 4096);
    for (let i = 99; i < 300; i++) await store.insert({ jobs: [job(`a${i}`)] });
    await waitFor(() => store.checkpoints > 0, { message: "a checkpoint by the worker" });
    // Once a checkpoint has copied everything back, a commit starts the WAL over and cuts its
    // file back to journal_size_limit (and 100 commits later the store asks for another).
    await waitFor(async () => {
      for (let i = 0; i < 10; i++) await store.insert({ jobs: [job(crypto.randomUUID())] });
      return Deno.statSync(`${path}-wal`).size < 300 * 4096 / 2;
    }, { message: "the WAL to start over" });
  } finally {
    await store.close();
  }
  const walLeft = (() => {
    try {
      return Deno.statSync(`${path}-wal`).size;
    } catch {
      return 0; // the last connection to close removes it
    }
  })();
  assert.equal(walLeft, 0, "closing checkpoints everything back into the file");
});
