/**
 * Keeps the leases of the jobs this process runs: renews them every third of a lease, and
 * names those whose lease was lost meanwhile (rescued, cancelled or removed by someone else),
 * so that the pool stops them: an attempt that is no longer current must not go on.
 * @module
 */

import type { Job } from "../job.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { Ticker } from "../primitives/ticker.ts";

/** Options for {@linkcode LeaseKeeper}. */
export interface LeaseKeeperOptions {
  /** Milliseconds a lease lasts: renewals come every third of it. */
  leaseMs: number;
  /** The attempts running now. */
  running: () => Job[];
  /** Renews their leases; resolves with the ids renewed. */
  renew: (jobs: Job[]) => Promise<string[]>;
  /** Told the attempts that still run but whose lease was not renewed. */
  onLost: (jobs: Job[]) => void;
  /** Where a failed renewal is logged. Default: `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts ignore
 * const keeper = new LeaseKeeper({ leaseMs: 30_000, running, renew, onLost });
 * keeper.start();
 * await keeper.stop();
 * ```
 */
export class LeaseKeeper {
  #options: LeaseKeeperOptions;
  #ticker: Ticker;

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    const logger = options.logger ?? defaultLogger();
    this.#ticker = new Ticker(
      "Lease renewal",
      options.leaseMs / 3,
      () => this.renewNow(),
      (error) => logger.error("Lease renewal failed", { error }),
    );
  }

  start(): void {
    this.#ticker.start();
  }

  /** Stops renewing and waits for a renewal in progress. */
  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /**
   * Renews the leases of the attempts running now; reports those lost. An attempt that ended
   * while the renewal was on its way is not: its job may run again here meanwhile, claimed
   * anew under another lease, which that renewal did not name.
   */
  async renewNow(): Promise<void> {
    const jobs = this.#options.running();
    if (jobs.length === 0) return;
    const renewed = new Set(await this.#options.renew(jobs));
    const current = new Set(this.#options.running().map(attemptOf));
    const lost = jobs.filter((job) => !renewed.has(job.id) && current.has(attemptOf(job)));
    if (lost.length > 0) this.#options.onLost(lost);
  }
}

/** The attempt a job is on: its id and lease token. */
function attemptOf(job: Job): string {
  return `${job.id} ${job.leaseToken ?? ""}`;
}
