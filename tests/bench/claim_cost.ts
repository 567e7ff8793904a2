/**
 * What a claim costs the store: N queued `noop` jobs (default 100,000), claimed `--batch` at a
 * time (default 100) until none is left, on each store; rows claimed per second. Then, with
 * `--filtered`, N jobs of one type queued ahead of 10,000 of another, and only the latter
 * claimed by type: what a worker that runs few types pays behind a backlog of others. Each
 * timing starts after one untimed claim, which pays for the commits the inserts left behind.
 *
 *   deno run -A tests/bench/claim_cost.ts [--n 100000] [--batch 100] [--filtered]
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { Job } from "../../queue/job.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import type { ClaimParams } from "../../queue/store/job_store.ts";
import type { Store } from "../../queue/store/store.ts";
import { queuedJob } from "./queued_job.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "100000" },
    batch: { type: "string", default: "100" },
    filtered: { type: "boolean", default: false },
  },
});
const N = Number(values.n);
const BATCH = Number(values.batch);
const RARE = 10_000;

async function fill(store: Store, type: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 1000) {
    const size = Math.min(1000, count - done);
    await store.insert({ jobs: Array.from({ length: size }, (_, i) => queuedJob(type, done + i)) });
  }
}

/** Claims up to `limit` jobs (of `types`, when given). */
function claim(store: Store, limit: number, types?: string[]): Promise<Job[]> {
  const now = Date.now();
  // Built apart, so that the same file runs against a store that predates `types`.
  const params: ClaimParams = { limit, workerId: "w1", now, leaseOwner: "me", leaseUntil: now };
  if (types !== undefined) Object.assign(params, { types });
  return store.claim(params);
}

/** Claims until nothing is left, after one untimed claim of one job; rows per second. */
async function drain(store: Store, types?: string[]): Promise<number> {
  await claim(store, 1, types);
  let claimed = 0;
  const start = performance.now();
  for (;;) {
    const jobs = await claim(store, BATCH, types);
    if (jobs.length === 0) break;
    claimed += jobs.length;
  }
  const seconds = (performance.now() - start) / 1000;
  return Math.round(claimed / seconds);
}

function open(kind: string): Store {
  if (kind === "memory") return new MemoryStore();
  const dir = Deno.makeTempDirSync({ prefix: "denoqueue-claim-" });
  return SqliteStore.open(`${dir}/claim.db`);
}

const result: Record<string, unknown> = { n: N, batch: BATCH };
for (const kind of ["memory", "sqlite"]) {
  const store = open(kind);
  await fill(store, "noop", N);
  result[`${kind}Unfiltered`] = await drain(store);
  if (values.filtered) {
    await fill(store, "bulk", N);
    await fill(store, "rare", RARE);
    result[`${kind}FilteredBehind${N}`] = await drain(store, ["rare"]);
  }
  await store.close();
}
console.log(JSON.stringify(result));
