/**
 * The log line of a worker the pool replaces: why it ended (a crash, or killed past kill-grace)
 * and the jobs it held, named by id and type.
 * @module
 */

import { jobFields } from "../log_fields.ts";
import type { Logger } from "../primitives/logger.ts";
import type { WorkerHandle } from "./worker_handle.ts";

/**
 * Logs the end of `handle`, before its jobs are settled: `crash` is why it died on its own (an
 * error, with every job it held); without one, it was killed (a warning, with the jobs that did
 * not return once their signal aborted).
 *
 * @example
 * ```ts ignore
 * logReplacement(logger, handle, "uncaught error in worker: boom");
 * ```
 */
export function logReplacement(
  logger: Logger,
  handle: WorkerHandle,
  crash: string | undefined,
): void {
  const entries = [...handle.running.values()];
  if (crash !== undefined) {
    logger.error(`Worker ${handle.id} crashed: ${crash}; replacing it`, {
      worker: handle.id,
      ...jobFields(entries.map((entry) => entry.job)),
    });
    return;
  }
  const late = entries.filter((entry) => entry.timedOut || entry.cancelled);
  logger.warn(
    `Worker ${handle.id} killed: ${late.length} job(s) did not return within kill-grace ` +
      "once their signal aborted; replacing it",
    { worker: handle.id, ...jobFields(late.map((entry) => entry.job)) },
  );
}
