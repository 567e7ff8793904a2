/**
 * The storage seam: one narrow interface of parameter objects that every backend implements
 * (memory now; SQLite and PostgreSQL behind the same contract). The queue decides what a job
 * becomes; a store applies it atomically, guarded by the status it expects to find.
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
}

/** Counts of jobs by status, and by type then status. */
export interface JobCounts {
  byStatus: Record<JobStatus, number>;
  byType: Record<string, Record<JobStatus, number>>;
}

/** A new snapshot of a job, applied only if the stored job is still in `from`. */
export interface JobUpdate {
  from: JobStatus;
  job: Job;
}

/** The outcome of moving due scheduled jobs to queued. */
export interface PromoteResult {
  promoted: Job[];
  /** The earliest `runAt` still scheduled, if any. */
  nextRunAt?: number;
}

/** What every storage backend provides. */
export interface Store {
  /** Adds jobs, all or none. Each job's `seq` is assigned here. */
  insert(params: { jobs: Job[] }): Promise<Job[]>;
  /**
   * Moves up to `limit` queued jobs, oldest first, to `in-progress`, appending a new attempt
   * run by `workerId` and starting at `now`. Returns them.
   */
  claim(params: { limit: number; workerId: string; now: number }): Promise<Job[]>;
  /** Applies each update whose job is still in its `from` status; returns the applied jobs. */
  update(params: { updates: JobUpdate[] }): Promise<Job[]>;
  /** Moves scheduled jobs whose `runAt` is at or before `now` to queued. */
  promote(params: { now: number; limit: number }): Promise<PromoteResult>;
  get(params: { id: string }): Promise<Job | undefined>;
  list(params: ListQuery): Promise<Job[]>;
  /** Removes the given jobs, or every job with `status`, or every job; returns the removed. */
  delete(params: { ids?: string[]; status?: JobStatus }): Promise<Job[]>;
  counts(): Promise<JobCounts>;
  /** Whether jobs survive a restart: decides whether shutdown puts jobs back or cancels them. */
  readonly durable: boolean;
  close(): Promise<void>;
}

/** Zeroed counts for every status. */
export function emptyStatusCounts(): Record<JobStatus, number> {
  return {
    "queued": 0,
    "scheduled": 0,
    "in-progress": 0,
    "completed": 0,
    "failed": 0,
    "cancelled": 0,
  };
}
