/**
 * The jobs part of the store contract: storing, claiming, moving and removing jobs, each
 * change applied atomically and guarded by the state the caller expects to find. Written for
 * a store shared by many processes: whatever a driver keeps in memory to go faster (counts, a
 * ready list, the next `seq`) is its own business, never something a caller may rely on.
 * @module
 */

import type { Job } from "../job.ts";
import type { JobStatus } from "../lifecycle.ts";

/** A filtered page of jobs, newest first. */
export interface ListQuery {
  status?: JobStatus;
  type?: string;
  limit: number;
  /** Only jobs inserted before this `seq` (the paging cursor). */
  beforeSeq?: number;
  /**
   * Only jobs whose id starts or ends with this (hex digits and dashes): what a person copies
   * from a short id. Callers check its form; stores may match it with `LIKE`.
   */
  idMatch?: string;
}

/** Counts of jobs by status, and by type then status. */
export interface JobCounts {
  byStatus: Record<JobStatus, number>;
  byType: Record<string, Record<JobStatus, number>>;
  /** Failed and cancelled jobs retried by hand already (`retriedBy`): retry-all skips them. */
  retried: Record<RetriableStatus, number>;
}

/** The states a job can be retried by hand from. */
export type RetriableStatus = "failed" | "cancelled";

/** A new snapshot of a job, applied only if the stored job is still in `from`. */
export interface JobUpdate {
  from: JobStatus;
  job: Job;
  /** Applies only while the stored job is still on this attempt (a running attempt's write). */
  fence?: AttemptFence;
  /**
   * The job ends here and is not kept: applied under the same conditions, the update removes
   * the stored job instead of writing it (completed jobs that retention keeps for no time).
   * Only for a move to a final status. Returned as written, like any applied update.
   */
  remove?: boolean;
}

/** Which attempt a write belongs to; refused when another attempt is current in the store. */
export interface AttemptFence {
  /** The attempt's lease token, as its claim returned it (absent: claimed before tokens). */
  leaseToken: string | undefined;
  /** Also refused unless the lease ran out before this time (a rescue of an expired lease). */
  expiredBefore?: number;
}

/**
 * What a claim takes: how many, of which types, for which worker, and the lease it holds them
 * under.
 */
export interface ClaimParams {
  limit: number;
  /**
   * Only jobs of these types (a worker that runs only some). An empty list claims nothing.
   * Default: jobs of any type. Among the jobs that match, the order is the same as without it.
   */
  types?: readonly string[];
  workerId: string;
  now: number;
  /** The process claiming; renews the lease while the jobs run. */
  leaseOwner: string;
  /** When the lease runs out unless renewed (epoch ms). */
  leaseUntil: number;
}

/** Lease renewal: the jobs a process still runs, and their new expiry. */
export interface RenewParams {
  owner: string;
  until: number;
  /** The attempts to renew: each job's id and the lease token of the attempt it runs. */
  leases: { id: string; leaseToken: string }[];
}

/** Which jobs to remove: by id, by status, or (neither) all. */
export interface DeleteParams {
  ids?: string[];
  status?: JobStatus;
}

/** How many jobs a delete removed, and how many of them were unfinished. */
export interface DeleteResult {
  removed: number;
  unfinished: number;
}

/** Retention: finished jobs older than a cut-off, or beyond a count, are removed. */
export interface PruneParams {
  /** Per final status: remove jobs that finished before this time (epoch ms). */
  finishedBefore: Record<FinalStatus, number>;
  /** Per final status: keep at most this many, the newest. */
  keep: number;
  /** Rows removed at most in one call, so a large backlog is pruned in steps. */
  limit: number;
}

/** The states a job ends in. */
export type FinalStatus = "completed" | "failed" | "cancelled";

/** The outcome of moving due scheduled jobs to queued. */
export interface PromoteResult {
  promoted: Job[];
  /** The earliest `runAt` still scheduled, if any. */
  nextRunAt?: number;
}

/**
 * What every driver provides for jobs. Expectations every driver meets (the jobs contract
 * suite checks them on each):
 * - Every call is atomic: all of it is stored, or none of it.
 * - A job's id and type never change: an update that names another type is not applied.
 * - A change applies only to a job still in the state the caller saw (`from`, `queued` for a
 *   claim, `scheduled` for a promotion, `in-progress` and the lease owner for a renewal); a job
 *   that moved meanwhile is left alone and left out of the answer.
 * - A write of a running attempt (outcome, renewal, rescue) carries its lease token and applies
 *   only while that attempt is the job's current one: a late result never overwrites a newer
 *   attempt.
 * - Every change of status follows the lifecycle table (`canTransition`); a final job never
 *   changes status again, whoever asks.
 * - `seq` grows with every insert, across processes; it orders lists and claims, nothing more.
 * - A claim takes queued jobs oldest first. With `types` it takes only jobs of those types, in
 *   the order a claim without `types` would have taken them, and leaves the others queued for
 *   a later claim; an empty `types` takes nothing.
 */
export interface JobStore {
  /**
   * Adds jobs, all or none. Each job's `seq` is assigned here. A job with `retryOf` is a
   * manual retry: its original (failed or cancelled, not retried yet) records it as
   * `retriedBy` in the same write; otherwise nothing is inserted and the call rejects with
   * `JobStateError` (naming the copy made before) or `JobNotFoundError`.
   */
  insert(params: { jobs: Job[] }): Promise<Job[]>;
  /**
   * Moves up to `limit` queued jobs (of `types`, when given), oldest first, to `in-progress`,
   * appending a new attempt run by `workerId` and starting at `now`, under the lease given and
   * a new `leaseToken`. Returns them.
   */
  claim(params: ClaimParams): Promise<Job[]>;
  /**
   * Applies each update whose job is still in its `from` status (and, with a `fence`, on that
   * attempt); returns the applied jobs. Throws `IllegalTransitionError`, writing nothing, when
   * an update asks for a move the lifecycle table does not allow.
   */
  update(params: { updates: JobUpdate[] }): Promise<Job[]>;
  /** Moves scheduled jobs whose `runAt` is at or before `now` to queued. */
  promote(params: { now: number; limit: number }): Promise<PromoteResult>;
  get(params: { id: string }): Promise<Job | undefined>;
  list(params: ListQuery): Promise<Job[]>;
  /** Removes the given jobs, or every job with `status`, or every job. */
  delete(params: DeleteParams): Promise<DeleteResult>;
  /**
   * Extends the leases of the given attempts, still current and held by `owner`; returns the
   * ids renewed (a job left out lost its lease: it was rescued, cancelled or removed).
   */
  renewLeases(params: RenewParams): Promise<string[]>;
  /**
   * In-progress jobs whose lease ran out before `now` (all of them, whatever their lease, when
   * `now` is `Infinity`): their process died while running them.
   */
  expiredLeases(params: { now: number; limit: number }): Promise<Job[]>;
  /** Removes finished jobs past retention; returns how many. */
  prune(params: PruneParams): Promise<number>;
  /** Jobs by status and by type, as stored. */
  counts(): Promise<JobCounts>;
}
