/**
 * The pool's workers, grouped by sandbox: the job types that declare the same permissions run
 * in workers of their own, started with exactly those permissions and loading only the handler
 * modules of those types. A group starts its workers when jobs of its types are first ready (as
 * many as the pool's size leaves free), and grows while the total stays under the size; every
 * group with work has one worker at least.
 * @module
 */

import type { Sandbox } from "../handlers/job_types.ts";
import { permissionsLabel, workerPermissions } from "../handlers/permissions.ts";
import type { Job } from "../job.ts";
import type { WorkerSettings } from "./protocol.ts";
import { sandboxEntry } from "./sandbox_entry.ts";
import type { WorkerHandle } from "./worker_handle.ts";
import { WorkerSet, type WorkerSetContext } from "./worker_set.ts";

/** One sandbox's workers, as `GET /api/stats` shows them. */
export interface SandboxStats {
  /** Its permissions (`permissionsLabel`): `none`, or e.g. `net=api.example.com env=KEY`. */
  permissions: string;
  types: string[];
  workers: number;
  busy: number;
}

/** A worker with room for jobs, and the group whose types it claims. */
export interface Room {
  set: WorkerSet;
  handle: WorkerHandle;
  room: number;
}

/** Settings every worker gets, whatever its sandbox. */
export type SharedSettings = Omit<WorkerSettings, "lifeline" | "types">;

/**
 * @example
 * ```ts ignore
 * const groups = new WorkerGroups(types.sandboxes(), settings, runtimeUrl, context, 4);
 * groups.demand(["noop"]);
 * ```
 */
export class WorkerGroups {
  readonly sets: readonly WorkerSet[];
  #byType = new Map<string, WorkerSet>();

  constructor(
    sandboxes: readonly Sandbox[],
    settings: SharedSettings,
    runtime: URL,
    context: WorkerSetContext,
    /** Workers in all, past which a group grows no more (its first one still starts). */
    readonly size: number,
  ) {
    this.sets = sandboxes.map((sandbox) => {
      const set = new WorkerSet(permissionsLabel(sandbox.permissions), {
        ...settings,
        types: sandbox.types,
        entry: sandboxEntry(runtime, sandbox.modules),
        permissions: workerPermissions(sandbox.permissions),
      }, context);
      for (const type of sandbox.types) this.#byType.set(type, set);
      return set;
    });
  }

  /** Every worker ready for jobs (or dead and not yet replaced). */
  get handles(): WorkerHandle[] {
    return this.sets.flatMap((set) => set.handles);
  }

  /** Workers in all, started or starting. */
  get total(): number {
    let total = 0;
    for (const set of this.sets) total += set.handles.length + set.starting;
    return total;
  }

  /** Jobs running now, on every worker. */
  get running(): number {
    let running = 0;
    for (const set of this.sets) running += set.running;
    return running;
  }

  /** Jobs the workers hold and have not started yet. */
  get queued(): number {
    let queued = 0;
    for (const set of this.sets) queued += set.queued;
    return queued;
  }

  /** Workers running at least one job. */
  get busy(): number {
    return this.handles.filter((handle) => handle.running.size > 0).length;
  }

  /** The group that runs `type`, if any does. */
  setOf(type: string): WorkerSet | undefined {
    return this.#byType.get(type);
  }

  /**
   * Jobs of `types` are ready: each of their groups without a worker starts one, and as many
   * more as the pool's size leaves free.
   */
  demand(types: Iterable<string>): void {
    for (const type of types) {
      const set = this.#byType.get(type);
      if (set === undefined || set.handles.length + set.starting > 0) continue;
      // Its workers start together, up to the free places: ready when its backlog is.
      set.grow();
      while (this.total < this.size) set.grow();
    }
  }

  /**
   * Each worker ready for jobs with room for more (`concurrency` at once), and its group; with
   * `full`, those with no room left too.
   */
  rooms(concurrency: number, { full = false } = {}): Room[] {
    return this.sets.flatMap((set) =>
      set.handles
        .filter((handle) => handle.available && (full || handle.running.size < concurrency))
        .map((handle) => ({ set, handle, room: Math.max(0, concurrency - handle.running.size) }))
    );
  }

  /**
   * After claims for `rooms` (each one's jobs in `claimed`): a group whose every claim came
   * back full has more work waiting, and starts one more worker while the size allows.
   */
  growFull(rooms: readonly Room[], claimed: readonly Job[][]): void {
    const notFull = new Set<WorkerSet>();
    for (const [i, { set, room }] of rooms.entries()) {
      if (claimed[i].length < room) notFull.add(set);
    }
    for (const set of new Set(rooms.map(({ set }) => set))) {
      if (!notFull.has(set) && set.starting === 0 && this.total < this.size) set.grow();
    }
  }

  /** Whether a worker holds an attempt of the job `jobId` now (running or not started yet). */
  holds(jobId: string): boolean {
    return this.handles.some((handle) => handle.running.has(jobId) || handle.queued.has(jobId));
  }

  /** The attempts every worker holds now, running or not started yet. */
  heldJobs(): Job[] {
    return this.sets.flatMap((set) => set.heldJobs());
  }

  /** Whether `handle` is one of the workers (a replaced one is not). */
  has(handle: WorkerHandle): boolean {
    return this.sets.some((set) => set.handles.includes(handle));
  }

  /** Puts a new worker in the place of `handle`, dead or killed, in its group. */
  replace(handle: WorkerHandle): void {
    this.sets.find((set) => set.init === handle.init)?.replace(handle);
  }

  stats(): SandboxStats[] {
    return this.sets.map((set) => ({
      permissions: set.label,
      types: [...set.types],
      workers: set.handles.length,
      busy: set.handles.filter((handle) => handle.running.size > 0).length,
    }));
  }

  /** Terminates every worker at once; what they ran is forgotten. */
  close(): void {
    for (const set of this.sets) set.close();
  }
}
