/**
 * What every part of the store contract shares: how a suite registers its tests (each one
 * closing the stores it opened), and the jobs it starts from.
 */

import assert from "node:assert/strict";
import { DEFAULT_BACKOFF } from "../../../queue/backoff.ts";
import type { Job } from "../../../queue/job.ts";
import type { Store } from "../../../queue/store/store.ts";

export const T = 1_700_000_000_000;

/** A queued job with sensible fields; `seq` is left for the store to assign. */
export function makeJob(id: string, overrides: Partial<Job> = {}): Job {
  return {
    id,
    seq: 0,
    type: "email",
    payload: { to: id },
    status: "queued",
    maxAttempts: 3,
    timeout: 30_000,
    backoff: { ...DEFAULT_BACKOFF },
    createdAt: T,
    runAt: T,
    updatedAt: T,
    progress: 0,
    attempts: [],
    logs: [],
    ...overrides,
  };
}

/** Claim parameters with a lease held by "me" for a minute. */
export function claimOf(limit: number, workerId: string, now: number) {
  return { limit, workerId, now, leaseOwner: "me", leaseUntil: now + 60_000 };
}

/** The ids of `jobs`, in order. */
export const ids = (jobs: Job[]): string[] => jobs.map((job) => job.id);

/** A part's test registrar and store openers, for the driver `name` that `open` creates. */
export interface ContractHarness {
  /** Registers `${name}.${title}`; every store opened in it is closed after it. */
  test(title: string, fn: () => Promise<void>): void;
  /** A new, empty store. */
  opened(): Promise<Store>;
  /** A new store holding `jobs`, inserted in one batch, in order. */
  storeWith(...jobs: Job[]): Promise<Store>;
}

/** The harness a part's suite registers its tests with. */
export function contractHarness(name: string, open: () => Promise<Store>): ContractHarness {
  const stores: Store[] = [];
  const opened = async () => {
    const store = await open();
    stores.push(store);
    return store;
  };
  return {
    test: (title, fn) =>
      Deno.test(`${name}.${title}`, async () => {
        try {
          await fn();
        } finally {
          for (const store of stores.splice(0)) await store.close();
        }
      }),
    opened,
    async storeWith(...jobs) {
      const store = await opened();
      await store.insert({ jobs });
      return store;
    },
  };
}

/** Asserts that `counts()` equals a count of the stored rows, by status and by type. */
export async function assertCountsMatchRows(store: Store): Promise<void> {
  const byStatus: Record<string, number> = {};
  const byType: Record<string, Record<string, number>> = {};
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await store.list({ limit: 500, beforeSeq });
    if (page.length === 0) break;
    for (const job of page) {
      byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
      byType[job.type] ??= {};
      byType[job.type][job.status] = (byType[job.type][job.status] ?? 0) + 1;
    }
    beforeSeq = page[page.length - 1].seq;
  }
  const retried: Record<string, number> = {};
  beforeSeq = undefined;
  for (;;) {
    const page = await store.list({ limit: 500, beforeSeq });
    if (page.length === 0) break;
    for (const job of page) {
      if (job.retriedBy !== undefined) retried[job.status] = (retried[job.status] ?? 0) + 1;
    }
    beforeSeq = page[page.length - 1].seq;
  }
  const counts = await store.counts();
  const nonZero = (record: Record<string, number>) =>
    Object.fromEntries(Object.entries(record).filter(([, n]) => n !== 0));
  assert.deepEqual(nonZero(counts.byStatus), byStatus, "counts().byStatus vs the rows");
  const countedTypes = Object.fromEntries(
    Object.entries(counts.byType).map(([type, c]) => [type, nonZero(c)]).filter(([, c]) =>
      Object.keys(c).length > 0
    ),
  );
  assert.deepEqual(countedTypes, byType, "counts().byType vs the rows");
  assert.deepEqual(nonZero(counts.retried), retried, "counts().retried vs the rows");
}
