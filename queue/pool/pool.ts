/**
 * The worker pool: up to N Web Workers, each running up to C jobs at once, grouped by the
 * permissions their job types declare (see `worker_groups.ts`). It claims jobs of each group's
 * types in batches when its workers have room, hands them out, records how they end, starts
 * workers as jobs need them, and replaces workers that die.
 * @module
 */

import type { Job } from "../job.ts";
import { jobFields } from "../log_fields.ts";
import type { Queue } from "../queue.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { RetryTimer } from "../primitives/retry_timer.ts";
import {
  deadWorkerJobs,
  forwardProgressAndLogs,
  outcomeReports,
  unsentReports,
  unstartedJobs,
} from "./attempt_reports.ts";
import { ChildJobs } from "./child_jobs.ts";
import { claimInTurns } from "./claim_turns.ts";
import { ClaimedAhead } from "./claimed_ahead.ts";
import { Deadlines } from "./deadlines.ts";
import { DrainedSets } from "./drained_sets.ts";
import { LeaseKeeper } from "./lease_keeper.ts";
import { OutcomeRecorder } from "./outcome_recorder.ts";
import { logReplacement } from "./replacement_log.ts";
import type { FromWorker } from "./protocol.ts";
import { checkedHttpAllow, type PoolOptions } from "./pool_options.ts";
import { IdleWait } from "./idle_wait.ts";
import { HandOutGate } from "./hand_out_gate.ts";
import { DEFAULT_RESULT_LIMIT } from "./result_limit.ts";
import { defaultRuntimeUrl } from "./sandbox_entry.ts";
import { type PoolStats, poolStats } from "./pool_stats.ts";
import { WorkerGroups } from "./worker_groups.ts";
import type { WorkerHandle } from "./worker_handle.ts";
import { dropQueued, handOutRoom, recallQueued, tellStanding } from "./worker_queue.ts";

export type { PoolStats } from "./pool_stats.ts";

/**
 * @example
 * ```ts ignore
 * const pool = new WorkerPool({ queue, size: 2, concurrency: 16 });
 * await pool.start();
 * ```
 */
export class WorkerPool {
  readonly size: number;
  readonly concurrency: number;
  readonly killGrace: number;
  #queue: Queue;
  #workers: WorkerGroups;
  #now: () => number;
  #pumping = false;
  #again = false;
  /** The claims in flight, if any: drain waits for them. */
  #claiming: Promise<void> | undefined;
  #ahead: ClaimedAhead;
  #drained = new DrainedSets();
  #gate: HandOutGate;
  #draining = false;
  #paused = false;
  #deadlines: Deadlines;
  /** Drain waits for the jobs workers hold, run or given back. */
  #idle = new IdleWait(() => this.#workers.running + this.#workers.queued);
  #leases: LeaseKeeper;
  #claimRetry: RetryTimer;
  #unsubscribe: (() => void)[] = [];
  #outcomes: OutcomeRecorder;
  #logger: Logger;

  constructor(options: PoolOptions) {
    this.size = options.size ?? navigator.hardwareConcurrency ?? 2;
    this.concurrency = options.concurrency ?? 16;
    this.killGrace = options.killGrace ?? 5_000;
    this.#ahead = new ClaimedAhead(options.claimAhead ?? 0, options.claimAheadPaceMs);
    for (const [name, value] of [["size", this.size], ["concurrency", this.concurrency]] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a positive integer, received ${value}`);
      }
    }
    const httpAllow = checkedHttpAllow(options); // Before any worker starts.
    this.#queue = options.queue;
    this.#logger = options.logger ?? defaultLogger();
    this.#outcomes = new OutcomeRecorder(this.#queue, {
      logger: this.#logger,
      retryForMs: this.#queue.leaseMs,
    });
    const children = new ChildJobs(this.#queue, options.childLimits);
    this.#now = options.now ?? Date.now;
    this.#deadlines = new Deadlines({
      killGrace: this.killGrace,
      now: this.#now,
      handles: () => this.#workers.handles,
      onKill: (handle) => this.#replace(handle, undefined),
    });
    this.#leases = new LeaseKeeper({
      leaseMs: this.#queue.leaseMs,
      running: () => [...this.#workers.heldJobs(), ...this.#ahead.jobs()],
      renew: (jobs) => this.#queue.renewLeases(jobs),
      onLost: (jobs) => this.#leaseLost(jobs),
      logger: this.#logger,
    });
    this.#gate = new HandOutGate({
      node: this.#queue.cluster,
      renew: () => this.#leases.renewNow(),
      reopened: () => this.#pump(),
      extended: () => tellStanding(this.#workers.handles, this.#gate.openUntil()),
      logger: this.#logger,
    });
    this.#claimRetry = new RetryTimer(() => this.#pump(), { first: options.claimRetry ?? 100 });
    const settings = {
      concurrency: this.concurrency,
      demoSpeed: options.demoSpeed ?? 1,
      resultLimit: options.resultLimit ?? DEFAULT_RESULT_LIMIT,
      httpAllow,
    };
    let nextWorker = 1;
    this.#workers = new WorkerGroups(
      this.#queue.registry.sandboxes(),
      settings,
      options.workerUrl ?? defaultRuntimeUrl(),
      {
        callbacks: {
          onBatch: (handle, message) => this.#onBatch(handle, message),
          onEnqueue: (handle, requests) => children.enqueue(handle, requests),
          onCrash: (handle, reason) => this.#replace(handle, reason),
        },
        nextId: () => `w${nextWorker++}`,
        onReady: () => this.#pump(),
        logger: this.#logger,
      },
      this.size,
    );
  }

  /**
   * Starts handing out jobs: a worker starts for each group whose jobs are ready now, and later
   * as jobs of other groups become ready.
   */
  async start(): Promise<void> {
    this.#leases.start();
    this.#unsubscribe.push(
      this.#queue.onReady((types) => {
        if (types !== undefined) this.#workers.demand(types);
        this.#drained.announced(types && [...types].map((type) => this.#workers.setOf(type)));
        this.#pump();
      }),
      this.#queue.onCancel((jobId) => this.#stop(jobId)),
      this.#gate.start(),
    );
    const { byType } = await this.#queue.store.counts();
    this.#workers.demand(Object.keys(byType).filter((type) => byType[type].queued > 0));
    this.#pump();
  }

  /**
   * Stops handing out jobs; running ones finish. Jobs wait in the queue until `resume()`, those
   * queued in workers too once they give them back.
   */
  pause(): void {
    this.#paused = true;
    this.#outcomes.putBack(this.#ahead.clear());
    recallQueued(this.#workers.handles);
  }

  /** Hands out jobs again. */
  resume(): void {
    this.#paused = false;
    this.#drained.announced(undefined);
    this.#pump();
  }

  get paused(): boolean {
    return this.#paused;
  }

  stats(): PoolStats {
    return poolStats(this.#workers, this, this.#ahead.size);
  }

  /** Jobs running now. */
  get running(): number {
    return this.#workers.running;
  }

  /**
   * Stops handing out jobs and waits up to `graceMs` for the running ones to finish. Then
   * aborts the signals of those still running and waits up to `killGraceMs` (default: the
   * pool's `killGrace`) for them to return; what they return is recorded as any outcome.
   * Resolves with the jobs still running after that: `close()` ends their workers.
   */
  async drain(graceMs: number, killGraceMs: number = this.killGrace): Promise<Job[]> {
    this.#draining = true;
    await this.#claiming;
    this.#outcomes.putBack(this.#ahead.clear());
    recallQueued(this.#workers.handles);
    await this.#idle.wait(graceMs);
    for (const handle of this.#workers.handles) {
      for (const [jobId, entry] of handle.running) {
        entry.stopping = true;
        handle.abort(jobId, "shutdown");
      }
    }
    await this.#idle.wait(killGraceMs);
    return this.#workers.heldJobs();
  }

  /**
   * Terminates every worker at once (jobs still running are forgotten: drain first), then
   * resolves once a lease renewal in progress has ended, so the store can close.
   */
  async close(): Promise<void> {
    this.#draining = true;
    for (const off of this.#unsubscribe) off();
    this.#claimRetry.stop();
    this.#deadlines.close();
    this.#workers.close();
    this.#idle.release();
    await this.#leases.stop();
    await this.#outcomes.close();
  }

  /**
   * Hands the jobs claimed ahead to the workers with free places, then claims more for every
   * worker short of jobs (see {@linkcode ClaimedAhead.wanted}) unless a claim is in flight.
   */
  #pump(): void {
    this.#handOut();
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    const claiming = this.#claimMore().finally(() => {
      if (this.#claiming === claiming) this.#claiming = undefined;
    });
    this.#claiming = claiming;
  }

  /**
   * Gives each worker with room the jobs claimed ahead for it (see {@linkcode handOutRoom}), or
   * for a busy sibling (see {@linkcode ClaimedAhead.takeFor}), while the gate is open.
   */
  #handOut(): void {
    if (this.#draining || this.#paused || this.#ahead.size === 0 || !this.#gate.open()) return;
    const now = this.#now();
    for (const { set, handle } of this.#workers.rooms(this.concurrency, { full: true })) {
      const room = handOutRoom(handle, this.concurrency, this.#ahead.target(handle, now));
      const jobs = this.#ahead.takeFor(handle, room, set.handles, this.concurrency);
      if (jobs.length > 0) this.#dispatch(handle, jobs);
    }
  }

  /**
   * Claims jobs for every worker short of them, groups at once and each group's workers in
   * turns (see {@linkcode claimInTurns}), until the queue or the want runs out. After a
   * failed claim it tries again by itself, waiting longer after each failure in a row.
   */
  async #claimMore(): Promise<void> {
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        for (;;) {
          if (this.#draining || this.#paused) return;
          const wants = this.#workers.rooms(this.concurrency, { full: true })
            .filter((place) => !this.#drained.has(place.set))
            .map((place) => ({
              ...place,
              room: this.#ahead.wanted(place.handle, place.room, this.#now()),
            }))
            .filter((want) => want.room > 0);
          if (wants.length === 0) break;
          const mark = this.#drained.mark();
          const claims = await claimInTurns(
            wants,
            ({ set, handle, room }) => this.#queue.claim(room, handle.id, set.types),
          );
          let full = true;
          // Jobs claimed for one worker are handed out even when another worker's claim failed.
          for (const [i, claim] of claims.entries()) {
            if (claim.status === "rejected") {
              // It may have locked rows that another claim skipped, finding too few.
              this.#drained.announced([wants[i].set]);
              continue;
            }
            if (claim.value.length < wants[i].room) {
              full = false;
              this.#drained.cameShort(wants[i].set, mark);
            }
            this.#received(wants[i].handle, claim.value);
          }
          const failed = claims.find((claim) => claim.status === "rejected");
          if (failed !== undefined) throw failed.reason;
          this.#claimRetry.succeeded();
          this.#workers.growFull(wants, claims.map((claim) => (claim as { value: Job[] }).value));
          if (!full) break;
        }
      } while (this.#again);
    } catch (error) {
      const wait = this.#claimRetry.schedule();
      const next = wait > 0 ? `trying again in ${wait} ms` : "a retry is already due";
      this.#logger.error(`Worker pool failed to claim jobs (${next})`, { error });
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Keeps jobs claimed for `handle` and hands out those there is room for; when handing out has
   * stopped (paused, draining) or the worker died meanwhile, they go back to the queue. Earlier
   * claims of them that a worker has not started are dropped (see {@linkcode dropQueued}).
   */
  #received(handle: WorkerHandle, claimed: Job[]): void {
    if (claimed.length === 0) return;
    dropQueued(this.#workers.handles, claimed);
    if (this.#draining || this.#paused || handle.dead || !this.#workers.has(handle)) {
      this.#outcomes.putBack(claimed);
      return;
    }
    this.#ahead.add(handle, claimed);
    this.#handOut();
  }

  /**
   * Hands claimed jobs to a worker (or back to the queue if it died meanwhile); it starts them
   * as its places free up. A job whose earlier attempt a worker still holds (its lease was lost,
   * and it is winding down) is not run twice: it goes back, due a second later.
   */
  #dispatch(handle: WorkerHandle, claimed: Job[]): void {
    const jobs: Job[] = [];
    const again: Job[] = [];
    for (const job of claimed) (this.#workers.holds(job.id) ? again : jobs).push(job);
    if (again.length > 0) {
      this.#logger.warn(
        `Worker pool still runs ${again.length} job(s) it claimed again; later`,
        { worker: handle.id, ...jobFields(again) },
      );
      this.#outcomes.putBack(again, { delayMs: 1_000 });
    }
    if (jobs.length === 0) return;
    if (handle.dead) {
      this.#outcomes.putBack(jobs);
      return;
    }
    const { unsent, started } = handle.run(jobs, this.#gate.openUntil(), this.#now());
    if (unsent.length > 0) this.#outcomes.report(unsentReports(unsent));
    this.#deadlines.watch(started);
  }

  /** Jobs started (their time counts from then), outcomes, and jobs given back unstarted. */
  #onBatch(handle: WorkerHandle, message: Extract<FromWorker, { kind: "batch" }>): void {
    this.#deadlines.watch(
      message.started.flatMap(({ jobId, at }) => handle.started(jobId, at) ?? []),
    );
    forwardProgressAndLogs(this.#queue, handle, message);
    const { reports, putBack } = outcomeReports(handle, message.outcomes);
    this.#ahead.finished(handle, message.outcomes.length, this.#now());
    this.#outcomes.report(reports);
    this.#outcomes.putBack([...putBack, ...unstartedJobs(handle, message.unstarted)]);
    this.#idle.check();
    if (message.outcomes.length > 0 || message.unstarted.length > 0) this.#pump();
  }

  /**
   * Takes a dead or killed worker out, starts another in its place, and settles its jobs (see
   * {@linkcode deadWorkerJobs}); `crash` is why it died on its own, if it did.
   */
  #replace(handle: WorkerHandle, crash: string | undefined): void {
    if (!this.#workers.has(handle)) return;
    logReplacement(this.#logger, handle, crash);
    const { reports, putBack } = deadWorkerJobs(
      handle,
      crash === undefined ? undefined : `Worker crashed: ${crash}`,
    );
    this.#outcomes.report(reports);
    this.#outcomes.putBack([...putBack, ...this.#ahead.takeAll(handle)]);
    this.#idle.check();
    this.#workers.replace(handle);
  }

  /** Stops attempts whose lease was lost: nothing they report will be stored. */
  #leaseLost(jobs: Job[]): void {
    this.#logger.warn(
      `Worker pool lost the lease of ${jobs.length} running job(s); stopping them`,
      jobFields(jobs),
    );
    for (const job of jobs) this.#stop(job.id);
  }

  /**
   * Drops the job `jobId` if it waits ahead, aborts its attempt if it runs, or has its worker
   * drop it if queued there.
   */
  #stop(jobId: string): void {
    if (!this.#ahead.drop(jobId)) this.#deadlines.cancel(jobId);
  }
}
