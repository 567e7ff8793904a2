/**
 * What a `WorkerPool` is built with.
 * @module
 */

import type { ChildLimits } from "./child_jobs.ts";
import { HttpAllowList } from "../handlers/http/allow_list.ts";
import type { Logger } from "../primitives/logger.ts";
import type { Queue } from "../queue.ts";

/** Options for `WorkerPool`. */
export interface PoolOptions {
  queue: Queue;
  /**
   * Workers in all, started as jobs need them: the groups of job types with their own
   * permissions share them, each with one at least. Default: the number of CPUs.
   */
  size?: number;
  /** Jobs each worker runs at once. Default 16. */
  concurrency?: number;
  /**
   * Jobs claimed for each worker before it has room for them, so that it never waits on the
   * store between jobs: as many as it finished in the last `claimAheadPaceMs`, up to this;
   * claimed again once it holds half or less. Default 0: claims only for free places.
   */
  claimAhead?: number;
  /** The window of finished jobs a worker holds ahead (`claimAhead`). Default 100 ms. */
  claimAheadPaceMs?: number;
  /** Time scale of the demo job types. Default 1. */
  demoSpeed?: number;
  /** Milliseconds between aborting a job's signal and killing its worker. Default 5,000. */
  killGrace?: number;
  /** Largest job result, in bytes of JSON; a larger one fails for good. Default 1 MB. */
  resultLimit?: number;
  /**
   * What a worker's `ctx.enqueue` may ask: payloads up to `payloadBytes` of JSON (the server
   * passes its `--body-limit`), `waiting` requests unanswered at once. Default 1 MB and 1,000.
   */
  childLimits?: Partial<ChildLimits>;
  /**
   * Destinations the `http` job type may call although their addresses are refused (loopback,
   * private, link-local, …): host names, addresses and CIDR ranges, each with an optional
   * `:port`, as `--http-allow` takes them. Default: none.
   */
  httpAllow?: string[];
  /** After a failed claim, the first wait before claiming again (doubling to 5 s). Default 100. */
  claimRetry?: number;
  /**
   * The worker runtime: a module exporting `serve`, as `worker.ts` does, which each worker's
   * entry imports. Default: `worker.ts` (or `worker.js` when bundled) in this folder.
   */
  workerUrl?: URL;
  /** Where crashes, lost leases and failed claims are logged. Default: `defaultLogger()`. */
  logger?: Logger;
  now?: () => number;
}

/** `options.httpAllow` (default none), or a `RangeError` naming the entry it cannot read. */
export function checkedHttpAllow(options: PoolOptions): string[] {
  const entries = options.httpAllow ?? [];
  try {
    HttpAllowList.parse(entries);
  } catch (error) {
    throw new RangeError(`httpAllow: ${(error as Error).message}`);
  }
  return entries;
}
