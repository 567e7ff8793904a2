/**
 * The contract says every driver answers alike. An insert whose batch holds both a failed job
 * and its manual retry (the copy's `retryOf` names a job earlier in the same batch) is stored by
 * the SQLite store, which inserts the rows before it marks originals, and refused with
 * JobNotFoundError by the memory store, which looks originals up among stored jobs only.
 * Found by the attack on "Correct under stress"; not reachable through the HTTP API today.
 */

import assert from "node:assert/strict";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { makeJob, T } from "./contract/harness.ts";

async function outcome(store: Store): Promise<string> {
  try {
    const original = makeJob("o", { status: "failed", finishedAt: T });
    await store.insert({ jobs: [original, makeJob("c", { retryOf: "o" })] });
    return `stored; original retriedBy ${(await store.get({ id: "o" }))?.retriedBy}`;
  } catch (error) {
    return `refused: ${(error as Error).name}`;
  } finally {
    await store.close();
  }
}

Deno.test("insert() of a failed job and its retry in one batch: both drivers answer alike", async () => {
  const memory = await outcome(new MemoryStore());
  const sqlite = await outcome(SqliteStore.open(`${Deno.makeTempDirSync()}/jobs.db`));
  assert.equal(memory, sqlite, "MemoryStore vs SqliteStore");
});
