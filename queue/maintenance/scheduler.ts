/**
 * The scheduler: moves scheduled jobs (delayed, or backing off before a retry) to queued when
 * their time comes. One timer, set for the earliest `runAt`; nothing runs while nothing is due.
 * @module
 */

import type { JobEvents } from "../events.ts";
import { WakeTimer } from "../primitives/wake_timer.ts";
import type { JobStore } from "../store/job_store.ts";
import type { MaintenanceService } from "./service.ts";

/** What the {@linkcode Scheduler} works with. */
export interface SchedulerDeps {
  store: JobStore;
  events: JobEvents;
  now: () => number;
  /** Jobs are ready to claim. */
  notifyReady: () => void;
}

/** Jobs promoted at most per store round trip. */
const PROMOTE_BATCH = 1000;

/**
 * @example
 * ```ts ignore
 * const scheduler = new Scheduler({ store, events, now: Date.now, notifyReady });
 * scheduler.start();
 * scheduler.wakeAt(job.runAt);
 * ```
 */
export class Scheduler implements MaintenanceService {
  readonly name = "scheduler";
  #deps: SchedulerDeps;
  #timer: WakeTimer;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    this.#timer = new WakeTimer(
      async (now) => (await this.#promoteDue(now)).nextRunAt,
      deps.now,
      (error) => console.error("Scheduler failed to promote jobs:", error),
    );
  }

  /** Looks for due jobs now, then whenever the earliest scheduled job is due. */
  start(): void {
    this.#timer.wakeAt(this.#deps.now());
  }

  /** Makes sure the scheduler runs no later than `at` (epoch ms): a job is due then. */
  wakeAt(at: number): void {
    this.#timer.wakeAt(at);
  }

  stop(): Promise<void> {
    this.#timer.stop();
    return Promise.resolve();
  }

  /** Promotes every job due now; resolves with how many. */
  async runOnce(): Promise<number> {
    return (await this.#promoteDue(this.#deps.now())).promoted;
  }

  async #promoteDue(now: number): Promise<{ promoted: number; nextRunAt?: number }> {
    const { store, events } = this.#deps;
    let count = 0;
    for (;;) {
      const { promoted, nextRunAt } = await store.promote({ now, limit: PROMOTE_BATCH });
      count += promoted.length;
      if (events.active) {
        for (const job of promoted) events.emit({ type: "requeued", job });
      }
      if (promoted.length > 0) this.#deps.notifyReady();
      if (promoted.length < PROMOTE_BATCH) return { promoted: count, nextRunAt };
    }
  }
}
