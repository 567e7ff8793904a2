/**
 * What a store hands out is a snapshot: changing it (as careless code might) must not change
 * the stored job. The memory store freezes the job and its lists, but not what they hold: an
 * attempt, a log line, the payload or the backoff of a job it handed out can still be changed,
 * and the change is then in the store. The SQLite store hands out fresh copies, so the two
 * drivers differ. Found by the attack on "Correct under stress".
 */

import assert from "node:assert/strict";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { makeJob, T } from "./contract/harness.ts";

const drivers: [string, () => Store][] = [
  ["MemoryStore", () => new MemoryStore()],
  ["SqliteStore", () => SqliteStore.open(`${Deno.makeTempDirSync()}/jobs.db`)],
];

/** Changes a value in place; a frozen one refuses with a TypeError, which is fine. */
function tryTo(change: () => void): void {
  try {
    change();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

for (const [name, open] of drivers) {
  Deno.test(`${name}: changing what get() handed out leaves the stored job as it was`, async () => {
    const store = open();
    try {
      await store.insert({ jobs: [makeJob("a", { payload: { to: "ada" } })] });
      await store.claim({
        limit: 1,
        workerId: "w1",
        now: T,
        leaseOwner: "me",
        leaseUntil: T + 60_000,
      });
      const handedOut = (await store.get({ id: "a" }))!;
      const before = structuredClone(handedOut);
      tryTo(() => (handedOut.payload as { to: string }).to = "mallory");
      tryTo(() => (handedOut.attempts[0] as { workerId: string }).workerId = "forged");
      tryTo(() => handedOut.backoff.base = 0);
      assert.deepEqual(await store.get({ id: "a" }), before);
    } finally {
      await store.close();
    }
  });
}
