/**
 * The maintenance only the leader runs: services started when this node starts leading and
 * stopped when it stops. Any `MaintenanceService` can join (the scheduler, the rescuer and the
 * cleaner today, the cron enqueuer later). Each service's work is fenced or idempotent in the
 * store, so the moment two nodes both think they lead (one stalled past its lease) harms
 * nothing; it costs some duplicate looks.
 * @module
 */

import type { MaintenanceService } from "../maintenance/service.ts";

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LeaderDuties } from "./leader_duties.ts";
 * let running = false;
 * const duties = new LeaderDuties();
 * duties.join({
 *   name: "noop",
 *   start() { running = true; },
 *   stop() { running = false; return Promise.resolve(); },
 *   runOnce: () => Promise.resolve(0),
 * });
 * duties.lead(true);
 * assert.equal(running, true);
 * await duties.stop();
 * assert.equal(running, false);
 * ```
 */
export class LeaderDuties {
  #services: MaintenanceService[] = [];
  #leading = false;
  /** The stops of a lost leadership still in progress, which a new start waits for. */
  #stopping: Promise<unknown> | undefined;

  /** Adds a service: started now if this node leads, and at each leadership from now on. */
  join(service: MaintenanceService): void {
    this.#services.push(service);
    if (this.#leading) service.start();
  }

  /** The services that run while this node leads. */
  get services(): readonly MaintenanceService[] {
    return this.#services;
  }

  /** Whether the services run. */
  get running(): boolean {
    return this.#leading;
  }

  /** Starts the services when `leading` turns true, stops them when it turns false. */
  lead(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    if (!leading) {
      const stopping = this.#stopping = Promise.allSettled(
        this.#services.map((service) => service.stop()),
      ).finally(() => {
        if (this.#stopping === stopping) this.#stopping = undefined;
      });
    } else if (this.#stopping === undefined) {
      for (const service of this.#services) service.start();
    } else {
      // A start right after a stop waits for it, so no service runs twice at once.
      this.#stopping.then(() => {
        if (this.#leading) { for (const service of this.#services) service.start(); }
      });
    }
  }

  /** Stops every service (leading or not) and waits for their runs in progress. */
  async stop(): Promise<void> {
    this.#leading = false;
    await this.#stopping;
    await Promise.all(this.#services.map((service) => service.stop()));
  }
}
