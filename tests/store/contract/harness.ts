/**
 * What every part of the store contract shares: how a suite registers its tests (each one
 * closing the stores it opened), and the jobs it starts from.
 */

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
