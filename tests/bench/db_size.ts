/**
 * How big the SQLite file gets: after 100,000 jobs, after pruning them, and after another
 * 100,000 with pruning on (freed pages are reused, so the file stops growing).
 *
 *   deno run -A tests/bench/db_size.ts [--n 100000]
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { JobEvents } from "../../queue/events.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { Retention } from "../../queue/maintenance/cleaner.ts";
import { Queue } from "../../queue/queue.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "100000" } },
});
const N = Number(values.n);
const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-size-" })}/size.db`;
const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

async function runJobs(queue: Queue, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1000) {
    await queue.enqueue(Array.from({ length: 1000 }, (_, i) => ({
      type: "noop",
      payload: { i: done + i, note: "a typical small payload" },
    })));
    const claimed = await queue.claim(1000, "w1");
    await queue.finish(claimed.map((job) => ({ job, outcome: "completed", result: { ok: true } })));
  }
}

function pages(): { fileMB: number; usedMB: number } {
  const db = new DatabaseSync(path, { readOnly: true });
  const get = (pragma: string) => Object.values(db.prepare(`PRAGMA ${pragma}`).get()!)[0] as number;
  const size = get("page_size");
  const used = (get("page_count") - get("freelist_count")) * size;
  db.close();
  return { fileMB: mb(Deno.statSync(path).size), usedMB: mb(used) };
}

const registry = await HandlerRegistry.load([]);
let now = Date.now();

async function open(retention: Partial<Retention>): Promise<[Queue, SqliteStore]> {
  const store = SqliteStore.open(path);
  const queue = new Queue({ store, registry, events: new JobEvents(), now: () => now, retention });
  await queue.open();
  return [queue, store];
}

let [queue, store] = await open({ completed: 60_000 });
await runJobs(queue, N);
await queue.close();
await store.close(); // checkpoints the WAL into the file
const afterJobs = pages();

[queue, store] = await open({ completed: 60_000 });
now += 120_000; // past retention
const pruned = await queue.maintenance.cleaner.runOnce();
await queue.close();
await store.close();
const afterPrune = pages();

[queue, store] = await open({ count: 10_000 });
for (let round = 0; round < N / 10_000; round++) {
  await runJobs(queue, 10_000);
  await queue.maintenance.cleaner.runOnce();
}
await queue.close();
await store.close();
const steady = pages();

console.log(JSON.stringify({
  jobs: N,
  afterJobs,
  pruned,
  afterPrune,
  afterAnotherNWithRetainCount10000: steady,
}));
