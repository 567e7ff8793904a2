/**
 * Under load, counts stay true: 50 connections of single enqueues on SQLite while the pool
 * runs the jobs; once drained, `/api/stats` equals a count of the stored rows by status.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createServer } from "../api/server.ts";
import { SqliteStore } from "../queue/store/sqlite/sqlite_store.ts";
import type { StatsView } from "./support/api_server.ts";
import { waitFor } from "./support/wait.ts";
import { TEST_LOGGER } from "./support/log_capture.ts";

const CONNECTIONS = 50;
/** How long producers keep sending: bounded, the test takes a few seconds. */
const SEND_MS = 3_000;

Deno.test("Load: 50 connections of single enqueues on SQLite; stats equal the stored rows", async () => {
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-load-" })}/jobs.db`;
  const server = await createServer({
    store: SqliteStore.open(path),
    workers: 2,
    concurrency: 8,
    capacity: 100_000,
    logger: TEST_LOGGER,
  });
  const { port } = await server.listen();
  const base = `http://127.0.0.1:${port}`;
  try {
    const until = Date.now() + SEND_MS;
    let sent = 0;
    const producer = async () => {
      while (Date.now() < until) {
        const response = await fetch(`${base}/api/jobs`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"type":"noop","payload":{}}',
        });
        const answer = await response.text();
        assert.equal(response.status, 201, answer);
        sent++;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, producer));
    // Drained by what is stored, not by what stats say (that is what is under test).
    const db = new DatabaseSync(path, { readOnly: true });
    const storedCounts = () => {
      const rows = db.prepare("SELECT status, count(*) AS n FROM jobs GROUP BY status").all() as {
        status: string;
        n: number;
      }[];
      return Object.fromEntries(rows.map(({ status, n }) => [status, n]));
    };
    let stored: Record<string, number>;
    try {
      stored = await waitFor(() => {
        const counts = storedCounts();
        return counts.completed === sent && Object.keys(counts).length === 1 ? counts : undefined;
      }, { timeout: 60_000, interval: 50, message: `${sent} jobs to complete` });
    } finally {
      db.close();
    }
    const { byStatus } = (await (await fetch(`${base}/api/stats`)).json()) as StatsView;
    const shown = Object.fromEntries(Object.entries(byStatus).filter(([, n]) => n !== 0));
    console.log(`load: ${sent} jobs sent; stats ${JSON.stringify(byStatus)}`);
    for (const n of Object.values(byStatus)) assert.ok(n >= 0, `no negative count: ${n}`);
    assert.deepEqual(shown, stored);
  } finally {
    await server.shutdown();
  }
});
