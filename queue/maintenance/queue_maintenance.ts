/**
 * The queue's maintenance services, built together: the scheduler (scheduled → queued), the
 * rescuer (expired leases, dead nodes' jobs) and the cleaner (retention).
 * @module
 */

import type { Attempts } from "../attempts/attempts.ts";
import type { JobEvents } from "../events.ts";
import type { Logger } from "../primitives/logger.ts";
import type { NotifyReady } from "../ready.ts";
import type { Store } from "../store/store.ts";
import { Cleaner, type Retention } from "./cleaner.ts";
import { Rescuer } from "./rescuer.ts";
import { Scheduler } from "./scheduler.ts";

/** The queue's maintenance services, each runnable once on demand. */
export interface QueueMaintenance {
  readonly scheduler: Scheduler;
  readonly rescuer: Rescuer;
  readonly cleaner: Cleaner;
}

/** What {@linkcode createMaintenance} builds the services from. */
export interface QueueMaintenanceDeps {
  store: Store;
  events: JobEvents;
  /** Ends rescued attempts with the retry policy (called only once the queue is built). */
  finish: Attempts["finish"];
  leaseMs: number;
  retention: Retention;
  notifyReady: NotifyReady;
  now: () => number;
  /** Where the services log their failures. Default: `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts ignore
 * const maintenance = createMaintenance({ store, events, finish, leaseMs, retention, notifyReady, now });
 * await maintenance.cleaner.runOnce();
 * ```
 */
export function createMaintenance(deps: QueueMaintenanceDeps): QueueMaintenance {
  const { store, events, now, notifyReady, logger } = deps;
  return {
    scheduler: new Scheduler({ store, events, now, notifyReady, logger }),
    rescuer: new Rescuer({
      store,
      finish: (reports, options) => deps.finish(reports, options),
      leaseMs: deps.leaseMs,
      now,
      logger,
    }),
    cleaner: new Cleaner({ store, retention: deps.retention, now, logger }),
  };
}
