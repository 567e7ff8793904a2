/**
 * What becomes of the jobs a worker holds, as attempt reports for the queue: when the worker
 * returns their outcomes, when it dies, and when they cannot be sent to it at all.
 * @module
 */

import type { Job } from "../job.ts";
import type { AttemptReport } from "../attempts/settle.ts";
import type { Queue } from "../queue.ts";
import type { FromWorker, JobOutcome } from "./protocol.ts";
import type { RunningJob, WorkerHandle } from "./worker_handle.ts";

/** What becomes of a worker's jobs: reports to record, and jobs to put back in the queue. */
export interface JobsSettled {
  reports: AttemptReport[];
  putBack: Job[];
}

/**
 * Takes the jobs the outcomes name off the worker and reports how their attempts ended. Jobs
 * cancelled meanwhile get no report: the store has them final already. A job stopped by
 * shutdown that failed (it threw once its signal aborted) goes back without losing an attempt.
 */
export function outcomeReports(handle: WorkerHandle, outcomes: JobOutcome[]): JobsSettled {
  const reports: AttemptReport[] = [];
  const putBack: Job[] = [];
  for (const outcome of outcomes) {
    const entry = handle.running.get(outcome.jobId);
    if (entry === undefined) continue;
    handle.running.delete(outcome.jobId);
    if (entry.cancelled) continue; // Already cancelled in the store.
    if (entry.timedOut) reports.push(timeoutReport(entry));
    else if (entry.stopping && !outcome.ok) putBack.push(entry.job);
    else if (outcome.ok) {
      reports.push({ job: entry.job, outcome: "completed", result: outcome.result });
    } else {
      reports.push({
        job: entry.job,
        outcome: "failed",
        error: outcome.error,
        stack: outcome.stack,
        unrecoverable: outcome.unrecoverable,
      });
    }
  }
  return { reports, putBack };
}

/**
 * Takes the jobs a worker gave back unstarted (recalled, or aborted before they started) off
 * it; returns those to put back in the queue without an attempt: all but the cancelled ones,
 * already final in the store.
 */
export function unstartedJobs(handle: WorkerHandle, jobIds: string[]): Job[] {
  const putBack: Job[] = [];
  for (const jobId of jobIds) {
    const entry = handle.queued.get(jobId);
    if (entry === undefined) continue;
    handle.queued.delete(jobId);
    if (!entry.cancelled) putBack.push(entry.job);
  }
  return putBack;
}

/**
 * Takes every job off a dead or killed worker: timed-out ones fail, cancelled ones are already
 * final, and the rest go back to the queue without losing an attempt, or, if the worker crashed
 * on its own (`crash` given), fail that attempt, since any of them may have caused it. Those it
 * had not started go back in any case.
 */
export function deadWorkerJobs(handle: WorkerHandle, crash: string | undefined): JobsSettled {
  const reports: AttemptReport[] = [];
  const putBack: Job[] = [];
  for (const entry of handle.running.values()) {
    if (entry.cancelled) continue;
    if (entry.timedOut) reports.push(timeoutReport(entry));
    else if (crash !== undefined) {
      reports.push({ job: entry.job, outcome: "interrupted", error: crash });
    } else putBack.push(entry.job);
  }
  for (const entry of handle.queued.values()) {
    if (!entry.cancelled) putBack.push(entry.job);
  }
  handle.running.clear();
  handle.queued.clear();
  return { reports, putBack };
}

/** Fails, for good, jobs whose payload the structured clone refused to send to a worker. */
export function unsentReports(jobs: Job[]): AttemptReport[] {
  return jobs.map((job) => ({
    job,
    outcome: "failed" as const,
    error: "The payload cannot be sent to a worker (structured clone refused it)",
    unrecoverable: true,
  }));
}

function timeoutReport(entry: RunningJob): AttemptReport {
  return {
    job: entry.job,
    outcome: "timeout",
    error: `Timed out after ${entry.job.timeout} ms`,
  };
}

/** Records the progress and log lines a worker sent, of the attempts it still runs. */
export function forwardProgressAndLogs(
  queue: Queue,
  handle: WorkerHandle,
  message: Extract<FromWorker, { kind: "batch" }>,
): void {
  for (const { jobId, value } of message.progress) {
    const entry = handle.running.get(jobId);
    if (entry !== undefined && !entry.cancelled) {
      queue.progress(jobId, value, entry.job.leaseToken);
    }
  }
  for (const { jobId, message: line } of message.logs) {
    const entry = handle.running.get(jobId);
    if (entry !== undefined && !entry.cancelled) {
      queue.log(jobId, entry.job.attempts.length, line, entry.job.leaseToken);
    }
  }
}
