/**
 * The shape of a maintenance service, as River has them: time-based work apart from the
 * request path (promoting due jobs, rescuing expired leases, pruning), each started and
 * stopped on its own and runnable once on demand. On PostgreSQL they run on the elected
 * leader only.
 * @module
 */

/**
 * @example
 * ```ts
 * import type { MaintenanceService } from "./service.ts";
 * const noop: MaintenanceService = {
 *   name: "noop",
 *   start() {},
 *   stop: () => Promise.resolve(),
 *   runOnce: () => Promise.resolve(0),
 * };
 * noop.start();
 * await noop.stop();
 * ```
 */
export interface MaintenanceService {
  /** What the log calls it. */
  readonly name: string;
  /** Starts running on its own schedule; a second call does nothing. */
  start(): void;
  /** Stops its schedule and waits for a run in progress. */
  stop(): Promise<void>;
  /** Runs one pass now; resolves with how many jobs it moved or removed. Errors reject. */
  runOnce(): Promise<number>;
}
