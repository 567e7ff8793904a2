/**
 * The rescuer: ends the attempts of jobs whose lease ran out (their process died, or stopped
 * renewing) as interrupted; the attempt counts, and the retry policy decides what follows.
 * @module
 */

import type { AttemptReport } from "../attempts/settle.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { Ticker } from "../primitives/ticker.ts";
import type { JobStore } from "../store/job_store.ts";
import type { NodeStore } from "../store/node_store.ts";
import type { MaintenanceService } from "./service.ts";

/** The error recorded on an attempt whose process died while running it. */
export const INTERRUPTED = "Process died while running";

/** The error recorded on an attempt whose node stopped heartbeating while running it. */
export const NODE_LOST = "Node stopped heartbeating while running";

/** What the {@linkcode Rescuer} works with. */
export interface RescuerDeps {
  /** Jobs, and the jobs a node holds (a dead node's). */
  store: JobStore & Pick<NodeStore, "jobsHeldBy">;
  /**
   * Settles the rescued attempts with the queue's retry policy, each only while its attempt is
   * current and (with `expiredBefore`) its lease still expired; resolves with how many.
   */
  finish: (
    reports: AttemptReport[],
    options: { expiredBefore?: number; rescue?: boolean },
  ) => Promise<number>;
  /** Milliseconds a lease lasts: the rescuer looks twice per lease. */
  leaseMs: number;
  now: () => number;
  /** Where a failed run is logged. Default: `defaultLogger()`. */
  logger?: Logger;
}

/** Jobs rescued at most per store round trip. */
const RESCUE_BATCH = 1000;

/**
 * @example
 * ```ts ignore
 * const rescuer = new Rescuer({ store, finish, leaseMs: 30_000, now: Date.now });
 * rescuer.start();
 * ```
 */
export class Rescuer implements MaintenanceService {
  readonly name = "rescuer";
  #deps: RescuerDeps;
  #ticker: Ticker;

  constructor(deps: RescuerDeps) {
    this.#deps = deps;
    const logger = deps.logger ?? defaultLogger();
    this.#ticker = new Ticker(
      "Rescuer",
      deps.leaseMs / 2,
      (signal) => this.#rescue(() => this.#deps.now(), true, signal),
      (error) => logger.error("Rescuer failed", { error }),
    );
  }

  start(): void {
    this.#ticker.start();
  }

  /** Stops the schedule; a run in progress ends once the batch it holds is settled. */
  stop(): Promise<void> {
    return this.#ticker.stop();
  }

  /**
   * Rescues the jobs whose lease has run out; resolves with how many. A lease renewed between
   * the look and the write keeps its attempt running: the write is fenced by the expiry.
   */
  runOnce(): Promise<number> {
    return this.#rescue(() => this.#deps.now(), true);
  }

  /**
   * Rescues every job in progress, whatever its lease: at the start of a process that alone
   * uses its storage, they all belong to a process that died.
   */
  rescueAll(): Promise<number> {
    return this.#rescue(() => Infinity, false);
  }

  /**
   * Rescues, at once, every job in progress whose lease `node` holds, whatever its expiry: the
   * node stopped heartbeating. Each write is fenced by its attempt's lease token, so an attempt
   * the node finished meanwhile is left as it ended. Resolves with how many were rescued.
   */
  async rescueHeldBy(node: string): Promise<number> {
    const { store, finish } = this.#deps;
    let rescued = 0;
    for (;;) {
      const jobs = await store.jobsHeldBy({ node, limit: RESCUE_BATCH });
      if (jobs.length === 0) return rescued;
      const ended = await finish(
        jobs.map((job) => ({ job, outcome: "interrupted", error: NODE_LOST })),
        { rescue: true },
      );
      rescued += ended;
      if (jobs.length < RESCUE_BATCH || ended === 0) return rescued;
    }
  }

  /** Rescues batch by batch; once `signal` aborts (the rescuer stops), no further batch starts. */
  async #rescue(
    cutOff: () => number,
    onlyExpired: boolean,
    signal?: AbortSignal,
  ): Promise<number> {
    const { store, finish } = this.#deps;
    let rescued = 0;
    for (;;) {
      const now = cutOff();
      const jobs = await store.expiredLeases({ now, limit: RESCUE_BATCH });
      if (jobs.length === 0) return rescued;
      rescued += await finish(
        jobs.map((job) => ({ job, outcome: "interrupted", error: INTERRUPTED })),
        onlyExpired ? { expiredBefore: now } : {},
      );
      if (jobs.length < RESCUE_BATCH || signal?.aborted) return rescued;
    }
  }
}
