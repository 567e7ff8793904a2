/**
 * The scheduler: moves scheduled jobs (delayed, or backing off before a retry) to queued when
 * their time comes. One timer, set for the earliest `runAt`; nothing runs while nothing is due.
 * @module
 */

import type { JobEvents } from "../events.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { WakeTimer } from "../primitives/wake_timer.ts";
import { type NotifyReady, typesOf } from "../ready.ts";
import type { JobStore } from "../store/job_store.ts";
import type { MaintenanceService } from "./service.ts";

/** What the {@linkcode Scheduler} works with. */
export interface SchedulerDeps {
  store: JobStore;
  events: JobEvents;
  now: () => number;
  /** Jobs of these types are ready to claim. */
  notifyReady: NotifyReady;
  /** Where a failed run is logged. Default: `defaultLogger()`. */
  logger?: Logger;
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
  /** The timer's run in progress, which `stop()` waits for. */
  #running: Promise<unknown> | undefined;
  /** Not started, or stopped: due jobs are another node's to promote, or nobody's. */
  #stopped = true;

  constructor(deps: SchedulerDeps) {
    this.#deps = deps;
    const logger = deps.logger ?? defaultLogger();
    this.#timer = new WakeTimer(
      async (now) => {
        const run = this.#running = this.#promoteDue(now, () => this.#stopped);
        try {
          return (await run).nextRunAt;
        } finally {
          this.#running = undefined;
        }
      },
      deps.now,
      (error) => logger.error("Scheduler failed to promote jobs", { error }),
    );
    this.#timer.stop(); // Until started.
  }

  /**
   * Looks for due jobs now, then whenever the earliest scheduled job is due; a second call does
   * nothing. Before it, and after `stop()`, wake-ups are ignored (another node leads).
   */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#timer.resume();
    this.#timer.wakeAt(this.#deps.now());
  }

  /** Makes sure the scheduler runs no later than `at` (epoch ms), while it runs. */
  wakeAt(at: number): void {
    this.#timer.wakeAt(at);
  }

  /** Stops the timer and waits for a run in progress, which ends after its current batch. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer.stop();
    // Its errors are the timer's to report; here only its end matters.
    await this.#running?.catch(() => {});
  }

  /** Promotes every job due now; resolves with how many. */
  async runOnce(): Promise<number> {
    return (await this.#promoteDue(this.#deps.now())).promoted;
  }

  /** Promotes batch by batch; once `stopped()` says so, no further batch starts. */
  async #promoteDue(
    now: number,
    stopped = () => false,
  ): Promise<{ promoted: number; nextRunAt?: number }> {
    const { store, events } = this.#deps;
    let count = 0;
    for (;;) {
      const { promoted, nextRunAt } = await store.promote({ now, limit: PROMOTE_BATCH });
      count += promoted.length;
      if (events.active) {
        for (const job of promoted) events.emit({ type: "requeued", job });
      }
      if (promoted.length > 0) this.#deps.notifyReady(typesOf(promoted));
      if (promoted.length < PROMOTE_BATCH || stopped()) return { promoted: count, nextRunAt };
    }
  }
}
