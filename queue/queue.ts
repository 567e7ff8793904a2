/**
 * The `Queue` facade: enqueue with capacity and backpressure, claim, finish with the retry
 * policy, put back, cancel, manual retry, delete, clear. No HTTP and no workers in here: the
 * pool calls `claim`/`finish`, the API calls the rest.
 * @module
 */

import {
  EnqueueAbortedError,
  JobNotFoundError,
  JobStateError,
  QueueFullError,
  ShuttingDownError,
  ValidationError,
} from "./errors.ts";
import type { JobEvents } from "./events.ts";
import type { HandlerRegistry } from "./handlers/registry.ts";
import { type Job, type JobOptions, MAX_LOGS_PER_JOB, type NewJob } from "./job.ts";
import { newJobId } from "./job_id.ts";
import { jobOptionsSchema } from "./job_options.ts";
import { type AttemptReport, endAttempt, settleAttempt } from "./attempt_end.ts";
import { assertTransition, isUnfinished, type JobStatus } from "./lifecycle.ts";
import { Scheduler } from "./maintenance/scheduler.ts";
import { Semaphore } from "./primitives/semaphore.ts";
import type { DeleteParams, JobCounts, ListQuery, Store } from "./store/store.ts";
import { ThroughputMeter } from "./primitives/throughput_meter.ts";
import { Ticker } from "./primitives/ticker.ts";
import { type TypeMetric, TypeMetrics } from "./type_metrics.ts";

/** Options for {@linkcode Queue}. */
export interface QueueOptions {
  store: Store;
  registry: HandlerRegistry;
  events: JobEvents;
  /** Unfinished jobs allowed at once. Default 10,000. */
  capacity?: number;
  /** Milliseconds an enqueue waits for room before it is refused. Default 5,000. */
  enqueueWait?: number;
  /** Milliseconds a claimed job's lease lasts unless renewed. Default 30,000. */
  leaseMs?: number;
  /** How long and how many finished jobs are kept. */
  retention?: Partial<Retention>;
  /** This process's name on the leases it holds. Default: host, pid and a random part. */
  owner?: string;
  now?: () => number;
  random?: () => number;
}

/** How long and how many finished jobs are kept; durations in ms. */
export interface Retention {
  /** Default 24 h. */
  completed: number;
  /** Failed and cancelled jobs. Default 7 days. */
  failed: number;
  /** Per final status, at most this many, the newest. Default 100,000. */
  count: number;
}

/** The retention defaults. */
export const DEFAULT_RETENTION: Readonly<Retention> = {
  completed: 24 * 3_600_000,
  failed: 7 * 24 * 3_600_000,
  count: 100_000,
};

/** The error recorded on an attempt whose process died while running it. */
export const INTERRUPTED = "Process died while running";

/** Counts, capacity, throughput and per-type figures. */
export interface QueueStats extends JobCounts {
  capacity: { limit: number; used: number; waiting: number };
  throughput: {
    /** Averages over the last minute. */
    completedPerSecond: number;
    failedPerSecond: number;
    windowSeconds: number;
    /** Jobs finished in each of the last five minutes' seconds, oldest first. */
    series: { completed: number[]; failed: number[] };
  };
  /** Mean and p95 duration and failure rate of each type's recent attempts. */
  types: Record<string, TypeMetric>;
}

/** Seconds of per-second history kept for the throughput chart. */
const SERIES_SECONDS = 300;
/** Seconds that "jobs per second" averages over. */
const RATE_SECONDS = 60;

/** Jobs claimed at most per store round trip by the scheduler. */
const PROMOTE_BATCH = 1000;

/**
 * @example
 * ```ts ignore
 * const queue = new Queue({ store, registry, events });
 * await queue.open();
 * const [job] = await queue.enqueue([{ type: "noop", payload: {} }]);
 * ```
 */
export class Queue {
  readonly store: Store;
  readonly registry: HandlerRegistry;
  readonly events: JobEvents;
  readonly enqueueWait: number;
  #room: Semaphore;
  readonly #closing = new AbortController();
  #now: () => number;
  #random: () => number;
  #scheduler: Scheduler;
  #readyListeners = new Set<() => void>();
  #cancelListeners = new Set<(jobId: string) => void>();
  #live = new Map<string, { progress: number; logs: Job["logs"] }>();
  #completed: ThroughputMeter;
  #failed: ThroughputMeter;
  #metrics = new TypeMetrics();
  #closed = false;
  #finalWaiters = new Map<string, ((job: Job) => void)[]>();
  #unwatchFinal: (() => void) | undefined;
  readonly owner: string;
  readonly leaseMs: number;
  readonly retention: Retention;
  #housekeeping: Ticker[];

  constructor(options: QueueOptions) {
    const capacity = options.capacity ?? 10_000;
    const enqueueWait = options.enqueueWait ?? 5_000;
    if (!Number.isInteger(enqueueWait) || enqueueWait < 0) {
      throw new RangeError(`enqueueWait must be a non-negative integer, received ${enqueueWait}`);
    }
    this.store = options.store;
    this.registry = options.registry;
    this.events = options.events;
    this.enqueueWait = enqueueWait;
    this.#room = new Semaphore(capacity);
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#scheduler = new Scheduler((now) => this.#promoteDue(now), this.#now);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.owner = options.owner ?? defaultOwner();
    this.#housekeeping = [
      new Ticker("Rescuer", this.leaseMs / 2, () => this.rescue()),
      new Ticker("Cleaner", 60_000, () => this.prune()),
    ];
    this.#completed = new ThroughputMeter(SERIES_SECONDS, this.#now);
    this.#failed = new ThroughputMeter(SERIES_SECONDS, this.#now);
  }

  /**
   * Counts the unfinished jobs already in the store against capacity, rescues jobs whose
   * process died, prunes, and starts the scheduler and the housekeeping services.
   */
  async open(): Promise<void> {
    const { byStatus } = await this.store.counts();
    const unfinished = byStatus.queued + byStatus.scheduled + byStatus["in-progress"];
    if (unfinished > 0) this.#room.force(unfinished);
    // With storage of its own, every job still in progress belongs to a dead process.
    if (this.store.durable && byStatus["in-progress"] > 0) {
      await this.rescue({ all: this.store.exclusive });
    }
    await this.prune();
    this.#scheduler.wakeAt(this.#now());
    for (const ticker of this.#housekeeping) ticker.start();
  }

  /** Refuses new enqueues and stops the scheduler and housekeeping. */
  close(): void {
    this.#closed = true;
    // Enqueues waiting for room are refused now rather than when their wait runs out.
    this.#closing.abort();
    for (const waiters of this.#finalWaiters.values()) {
      for (const wake of waiters) wake(undefined as unknown as Job);
    }
    this.#scheduler.stop();
    for (const ticker of this.#housekeeping) ticker.stop();
  }

  /**
   * Extends the leases of jobs this process still runs. A job left out (its outcome could not
   * be stored) lets its lease run out, and the rescuer retries it.
   */
  async renewLeases(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return await this.store.renewLeases({
      owner: this.owner,
      until: this.#now() + this.leaseMs,
      ids,
    });
  }

  /**
   * Ends the attempts of jobs whose lease ran out (or, with `all`, of every job in progress):
   * recorded as interrupted, counting against the job's attempts; the retry policy applies.
   */
  async rescue(options: { all?: boolean } = {}): Promise<number> {
    let rescued = 0;
    for (;;) {
      const now = options.all ? Infinity : this.#now();
      const jobs = await this.store.expiredLeases({ now, limit: 1000 });
      if (jobs.length === 0) return rescued;
      await this.finish(jobs.map((job) => ({ job, outcome: "interrupted", error: INTERRUPTED })));
      rescued += jobs.length;
      if (jobs.length < 1000) return rescued;
    }
  }

  /** Removes finished jobs past retention; returns how many. */
  async prune(): Promise<number> {
    const now = this.#now();
    const { completed, failed, count } = this.retention;
    let removed = 0;
    for (;;) {
      const step = await this.store.prune({
        finishedBefore: {
          completed: now - completed,
          failed: now - failed,
          cancelled: now - failed,
        },
        keep: count,
        limit: 10_000,
      });
      removed += step;
      if (step < 10_000) return removed;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Calls `listener` whenever jobs become ready to claim. Returns the unsubscribe function. */
  onReady(listener: () => void): () => void {
    this.#readyListeners.add(listener);
    return () => this.#readyListeners.delete(listener);
  }

  /** Calls `listener` with the id of every job cancelled (the pool aborts it if it runs). */
  onCancel(listener: (jobId: string) => void): () => void {
    this.#cancelListeners.add(listener);
    return () => this.#cancelListeners.delete(listener);
  }

  /**
   * Validates every job, waits (up to `enqueueWait`) for room for all of them, and stores them:
   * all or nothing. Rejects with `ValidationError`, `QueueFullError` or `ShuttingDownError`;
   * if `signal` aborts while waiting, nothing is stored.
   */
  async enqueue(
    items: NewJob[],
    options: { signal?: AbortSignal; batch?: boolean } = {},
  ): Promise<Job[]> {
    if (this.#closed) throw new ShuttingDownError();
    if (items.length === 0) throw new ValidationError("At least one job is required", "jobs");
    // Field names carry the index when the caller sent an array, even of one job.
    const batch = options.batch ?? items.length > 1;
    const jobs = items.map((item, index) => this.#build(item, batch ? `[${index}].` : ""));
    await this.#reserve(jobs.length, options);
    let inserted: Job[];
    try {
      if (this.#closed) throw new ShuttingDownError();
      inserted = await this.store.insert({ jobs });
    } catch (error) {
      this.#room.release(jobs.length);
      throw error;
    }
    if (this.events.active) {
      for (const job of inserted) this.events.emit({ type: "enqueued", job });
    }
    let ready = false;
    for (const job of inserted) {
      if (job.status === "scheduled") this.#scheduler.wakeAt(job.runAt);
      else ready = true;
    }
    if (ready) this.#notifyReady();
    return inserted;
  }

  /** Hands up to `limit` queued jobs to `workerId`, oldest first. */
  async claim(limit: number, workerId: string): Promise<Job[]> {
    if (this.#closed) return [];
    const now = this.#now();
    const jobs = await this.store.claim({
      limit,
      workerId,
      now,
      leaseOwner: this.owner,
      leaseUntil: now + this.leaseMs,
    });
    if (this.events.active) { for (const job of jobs) this.events.emit({ type: "started", job }); }
    return jobs;
  }

  /** Records progress reported by a running job. */
  progress(jobId: string, value: number): void {
    const live = this.#liveOf(jobId);
    live.progress = Math.max(0, Math.min(100, value));
    if (this.events.active) this.events.emit({ type: "progress", jobId, progress: live.progress });
  }

  /** Records a log line written by a running job. */
  log(jobId: string, attempt: number, message: string): void {
    const live = this.#liveOf(jobId);
    live.logs.push({ at: this.#now(), attempt, message: String(message).slice(0, 2000) });
    if (live.logs.length > MAX_LOGS_PER_JOB) live.logs.shift();
    if (this.events.active) this.events.emit({ type: "log", jobId, message });
  }

  /**
   * Ends attempts: completed, or failed then retried after backoff or failed for good.
   * Reports for jobs that are no longer running (cancelled, deleted) are ignored.
   */
  async finish(reports: AttemptReport[]): Promise<void> {
    const now = this.#now();
    const updates = reports.map((report) => ({
      from: "in-progress" as const,
      job: this.#finished(report, now),
    }));
    for (const report of reports) {
      this.#live.delete(report.job.id);
      const started = report.job.attempts.at(-1)?.startedAt ?? now;
      this.#metrics.record(report.job.type, now - started, report.outcome !== "completed");
    }
    const applied = await this.store.update({ updates });
    let released = 0;
    let completed = 0;
    let failed = 0;
    for (const job of applied) {
      if (job.status === "completed") completed++;
      else if (job.status === "failed") failed++;
      else this.#scheduler.wakeAt(job.runAt);
      if (!isUnfinished(job.status)) released++;
      if (this.events.active) {
        this.events.emit({
          type: job.status === "scheduled" ? "retrying" : job.status as "completed" | "failed",
          job,
        });
      }
    }
    if (completed > 0) this.#completed.record(completed);
    if (failed > 0) this.#failed.record(failed);

    if (released > 0) this.#room.release(released);
  }

  /** Puts running jobs back in the queue without losing an attempt (their worker was replaced). */
  async requeue(jobs: Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.#now();
    const updates = jobs.map((job) => {
      assertTransition(job.id, job.status, "queued");
      const live = this.#withLive(job);
      this.#live.delete(job.id);
      return {
        from: "in-progress" as const,
        job: {
          ...job,
          status: "queued" as const,
          attempts: job.attempts.slice(0, -1),
          logs: live.logs,
          runAt: now,
          updatedAt: now,
        },
      };
    });
    const applied = await this.store.update({ updates });
    if (this.events.active) {
      for (const job of applied) {
        this.events.emit({ type: "requeued", job });
      }
    }
    if (applied.length > 0) this.#notifyReady();
  }

  /**
   * Cancels a queued, scheduled or running job. A running job ends `cancelled` at once; the
   * pool, told by the `cancelled` event, aborts its signal and kills it after the grace period.
   */
  async cancel(id: string, reason = "Cancelled by request"): Promise<Job> {
    for (;;) {
      const job = await this.#require(id);
      if (!isUnfinished(job.status)) {
        throw new JobStateError(`Job ${id} is already ${job.status} and cannot be cancelled`);
      }
      const [applied] = await this.store.update({
        updates: [this.#cancellation(job, reason, this.#now())],
      });
      if (applied === undefined) continue; // It moved meanwhile; look again.
      this.#cancelled(applied);
      return applied;
    }
  }

  /**
   * Cancels jobs as they were listed, in one store update; any that moved since go through
   * `cancel` one by one (which looks again, and skips those that ended meanwhile).
   */
  async #cancelListed(jobs: Job[], reason: string): Promise<void> {
    const now = this.#now();
    const applied = await this.store.update({
      updates: jobs.map((job) => this.#cancellation(job, reason, now)),
    });
    const done = new Set<string>();
    for (const job of applied) {
      done.add(job.id);
      this.#cancelled(job);
    }
    if (done.size === jobs.length) return;
    await Promise.all(
      jobs.filter((job) => !done.has(job.id)).map((job) =>
        this.cancel(job.id, reason).catch(ignoreState)
      ),
    );
  }

  /** The update that ends an unfinished job `cancelled`, guarded by the status it was seen in. */
  #cancellation(job: Job, reason: string, now: number) {
    const next = endAttempt(this.#withLive(job), "cancelled", now, {
      outcome: "cancelled",
      error: reason,
    });
    next.error = reason;
    return { from: job.status, job: next };
  }

  /** What follows a cancellation the store applied: room back, running handler told, event. */
  #cancelled(job: Job): void {
    this.#live.delete(job.id);
    this.#room.release(1);
    for (const listener of this.#cancelListeners) listener(job.id);
    if (this.events.active) this.events.emit({ type: "cancelled", job });
  }

  /** Creates a new job from a failed or cancelled one, pointing back with `retryOf`. */
  async retry(id: string, options: { signal?: AbortSignal } = {}): Promise<Job> {
    const original = await this.#require(id);
    if (original.status !== "failed" && original.status !== "cancelled") {
      throw new JobStateError(
        `Only failed or cancelled jobs can be retried; job ${id} is ${original.status}`,
      );
    }
    const [job] = await this.enqueue([{
      type: original.type,
      payload: original.payload,
      options: {
        maxAttempts: original.maxAttempts,
        timeout: original.timeout,
        backoff: original.backoff,
      },
      retryOf: original.id,
    }], options);
    return job;
  }

  /**
   * Retries every job in `status` (`failed` or `cancelled`) that has not been retried yet,
   * oldest first, until the queue is full. Returns how many were retried and how many remain.
   */
  async retryAll(status: "failed" | "cancelled"): Promise<{ retried: number; remaining: number }> {
    const retriedAlready = new Set<string>();
    const candidates: string[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await this.store.list({ limit: 1000, beforeSeq });
      if (page.length === 0) break;
      for (const job of page) {
        if (job.retryOf !== undefined) retriedAlready.add(job.retryOf);
        if (job.status === status) candidates.push(job.id);
      }
      beforeSeq = page[page.length - 1].seq;
    }
    const pending = candidates.reverse().filter((id) => !retriedAlready.has(id));
    let retried = 0;
    for (const id of pending) {
      if (!this.#room.tryAcquire(1)) break;
      this.#room.release(1);
      try {
        await this.retry(id);
        retried++;
      } catch (error) {
        if (error instanceof JobNotFoundError || error instanceof JobStateError) continue;
        if (error instanceof QueueFullError) break;
        throw error;
      }
    }
    return { retried, remaining: pending.length - retried };
  }

  /** Removes a job; a running one is cancelled first. */
  async delete(id: string): Promise<Job> {
    const job = await this.#require(id);
    if (isUnfinished(job.status)) await this.cancel(id, "Deleted by request").catch(ignoreState);
    const { removed } = await this.store.delete({ ids: [id] });
    if (removed === 0) throw new JobNotFoundError(id);
    if (this.events.active) this.events.emit({ type: "deleted", jobId: id });
    return job;
  }

  /**
   * Removes every job, or every job with `status`. Jobs waiting to run (queued, scheduled) are
   * removed a hundred at a time without being written as cancelled first (they would be
   * deleted right after); running ones are cancelled first. Either way a `cancelled` event is
   * emitted per job, then one `cleared`.
   */
  async clear(status?: JobStatus): Promise<number> {
    let removed = 0;
    for (const waiting of ["queued", "scheduled"] as const) {
      if (status !== undefined && status !== waiting) continue;
      for (;;) {
        const page = await this.store.list({ status: waiting, limit: 100 });
        if (page.length === 0) break;
        // Guarded by status: a job started since the listing stays, for the pass below.
        const gone = await this.#remove({ ids: page.map((job) => job.id), status: waiting });
        removed += gone;
        if (this.events.active) await this.#emitCleared(page, gone);
      }
    }
    if (status === undefined || status === "in-progress") {
      for (;;) {
        const page = await this.store.list({ status: "in-progress", limit: 100 });
        if (page.length === 0) break;
        await this.#cancelListed(page, "Cleared by request");
        // Cleared by their status: removed now (with no status, below with the rest).
        if (status !== undefined) removed += await this.#remove({ ids: page.map((j) => j.id) });
      }
    }
    if (status === undefined || !isUnfinished(status)) {
      removed += await this.#remove(status === undefined ? {} : { status });
    }
    if (this.events.active) this.events.emit({ type: "cleared", status, count: removed });
    return removed;
  }

  /**
   * A delete for `clear`, giving back the room of the unfinished jobs it removes: waiting ones,
   * or any enqueued since the cancel pass (cancelled ones gave theirs back already).
   */
  async #remove(params: DeleteParams): Promise<number> {
    const { removed, unfinished } = await this.store.delete(params);
    if (unfinished > 0) this.#room.release(unfinished);
    return removed;
  }

  /** `cancelled` events for waiting jobs a clear removed (those still there were not). */
  async #emitCleared(page: Job[], removed: number): Promise<void> {
    let gone = page;
    if (removed < page.length) {
      const left = await Promise.all(page.map((job) => this.store.get({ id: job.id })));
      gone = page.filter((_, i) => left[i] === undefined);
    }
    const now = this.#now();
    for (const job of gone) {
      this.events.emit({
        type: "cancelled",
        job: this.#cancellation(job, "Cleared by request", now).job,
      });
    }
  }

  /**
   * Resolves with the job once it is final (completed, failed or cancelled), or with its
   * current state when `timeout` ms pass or the signal aborts first. `undefined` if unknown.
   */
  async waitForFinal(
    id: string,
    options: { timeout: number; signal?: AbortSignal },
  ): Promise<Job | undefined> {
    const { promise, resolve } = Promise.withResolvers<Job | undefined>();
    const waiters = this.#finalWaiters.get(id) ?? [];
    waiters.push(resolve);
    this.#finalWaiters.set(id, waiters);
    this.#unwatchFinal ??= this.events.on((event) => {
      if (event.type !== "completed" && event.type !== "failed" && event.type !== "cancelled") {
        return;
      }
      const found = this.#finalWaiters.get(event.job.id);
      if (found === undefined) return;
      this.#finalWaiters.delete(event.job.id);
      for (const wake of found) wake(event.job);
    });
    const stop = () => resolve(undefined);
    const timer = setTimeout(stop, options.timeout);
    options.signal?.addEventListener("abort", stop, { once: true });
    // It may have finished before the waiter was registered.
    const current = await this.get(id);
    if (current === undefined || !isUnfinished(current.status)) resolve(current);
    const job = await promise;
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
    const left = (this.#finalWaiters.get(id) ?? []).filter((wake) => wake !== resolve);
    if (left.length > 0) this.#finalWaiters.set(id, left);
    else this.#finalWaiters.delete(id);
    if (this.#finalWaiters.size === 0) {
      this.#unwatchFinal?.();
      this.#unwatchFinal = undefined;
    }
    return job ?? await this.get(id);
  }

  /** The job with its live progress and logs, or `undefined`. */
  async get(id: string): Promise<Job | undefined> {
    const job = await this.store.get({ id });
    if (job === undefined) return undefined;
    return this.#withLive(job);
  }

  list(query: ListQuery): Promise<Job[]> {
    return this.store.list(query);
  }

  async stats(): Promise<QueueStats> {
    const counts = await this.store.counts();
    return {
      ...counts,
      capacity: {
        limit: this.#room.capacity,
        used: this.#room.capacity - this.#room.available,
        waiting: this.#room.waiting,
      },
      throughput: {
        completedPerSecond: this.#completed.perSecond(RATE_SECONDS),
        failedPerSecond: this.#failed.perSecond(RATE_SECONDS),
        windowSeconds: RATE_SECONDS,
        series: { completed: this.#completed.series(), failed: this.#failed.series() },
      },
      types: this.#metrics.snapshot(),
    };
  }

  #build(item: NewJob, prefix: string): Job {
    if (typeof item.type !== "string") {
      throw new ValidationError(`${prefix}type must be a string`, `${prefix}type`);
    }
    const payload = this.registry.validate(item.type, item.payload, prefix);
    const parsed = item.options === undefined
      ? { success: true as const, data: {} as JobOptions }
      : jobOptionsSchema.safeParse(item.options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const keys = issue.code === "unrecognized_keys" ? issue.keys.slice(0, 1) : [];
      const field = [`${prefix}options`, ...issue.path.map(String), ...keys].join(".");
      throw new ValidationError(`${field}: ${issue.message}`, field, undefined, "invalid_options");
    }
    const options = parsed.data;
    const policy = this.registry.policy(item.type);
    const now = this.#now();
    const delayed = (options.delay ?? 0) > 0;
    return {
      id: newJobId(now),
      seq: 0,
      type: item.type,
      payload,
      status: delayed ? "scheduled" : "queued",
      maxAttempts: options.maxAttempts ?? policy.maxAttempts,
      timeout: options.timeout ?? policy.timeout,
      backoff: options.backoff === undefined
        ? policy.backoff
        : { ...policy.backoff, ...options.backoff },
      createdAt: now,
      runAt: now + (options.delay ?? 0),
      updatedAt: now,
      progress: 0,
      attempts: [],
      logs: [],
      ...(item.retryOf === undefined ? {} : { retryOf: item.retryOf }),
    };
  }

  /** Takes room for `count` jobs; reads `options.signal` only if it has to wait. */
  async #reserve(count: number, options: { signal?: AbortSignal }): Promise<void> {
    if (count > this.#room.capacity) {
      throw new ValidationError(
        `A batch of ${count} jobs is larger than the queue's capacity of ${this.#room.capacity}`,
        "jobs",
      );
    }
    if (this.#room.tryAcquire(count)) return;
    const signal = options.signal;
    const timeout = AbortSignal.timeout(this.enqueueWait);
    const closing = this.#closing.signal;
    try {
      await this.#room.acquire(count, {
        signal: AbortSignal.any(signal ? [signal, timeout, closing] : [timeout, closing]),
      });
    } catch (error) {
      if (closing.aborted) throw new ShuttingDownError();
      if (timeout.aborted && !signal?.aborted) throw new QueueFullError(this.#retryAfter(count));
      throw new EnqueueAbortedError(error);
    }
  }

  /** Seconds until room for `count` jobs is likely, from the recent finishing rate. */
  #retryAfter(count: number): number {
    const rate = this.#completed.perSecond(RATE_SECONDS) + this.#failed.perSecond(RATE_SECONDS);
    if (rate <= 0) return 1;
    return Math.min(60, Math.max(1, Math.ceil(count / rate)));
  }

  #finished(report: AttemptReport, now: number): Job {
    return settleAttempt({ ...report, job: this.#withLive(report.job) }, now, this.#random);
  }

  async #promoteDue(now: number): Promise<number | undefined> {
    for (;;) {
      const { promoted, nextRunAt } = await this.store.promote({ now, limit: PROMOTE_BATCH });
      if (this.events.active) {
        for (const job of promoted) this.events.emit({ type: "requeued", job });
      }
      if (promoted.length > 0) this.#notifyReady();
      if (promoted.length < PROMOTE_BATCH) return nextRunAt;
    }
  }

  async #require(id: string): Promise<Job> {
    const job = await this.store.get({ id });
    if (job === undefined) throw new JobNotFoundError(id);
    return job;
  }

  /** The job with the progress and log lines its running attempt reported so far. */
  #withLive(job: Job): Job {
    const live = this.#live.get(job.id);
    if (live === undefined) return job;
    const logs = live.logs.length === 0 ? job.logs : [...job.logs, ...live.logs];
    return { ...job, progress: live.progress, logs: logs.slice(-MAX_LOGS_PER_JOB) };
  }

  #liveOf(jobId: string): { progress: number; logs: Job["logs"] } {
    let live = this.#live.get(jobId);
    if (live === undefined) {
      live = { progress: 0, logs: [] };
      this.#live.set(jobId, live);
    }
    return live;
  }

  #notifyReady(): void {
    for (const listener of this.#readyListeners) listener();
  }
}

/** `host:pid:random`, or `pid:random` where reading the host name is not allowed. */
function defaultOwner(): string {
  const suffix = `${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  try {
    return `${Deno.hostname()}:${suffix}`;
  } catch {
    return suffix;
  }
}

function ignoreState(error: unknown): void {
  // A job that finished between the read and the cancel needs no cancel.
  if (!(error instanceof JobStateError)) throw error;
}
