/**
 * A job's history as a timeline: created → each attempt started → ended with its outcome →
 * retry scheduled → the final state, built from the job's attempts and timestamps.
 * @module
 */

/// <reference lib="dom" />

import type { Attempt, JobDetail } from "./api_types.ts";
import { formatClock, formatDuration, formatRelative, formatTime, shortId } from "./format.ts";
import { html } from "./html.ts";

/** One step of the timeline. `tone` picks its marker colour (a status or outcome). */
export interface TimelineEntry {
  at?: string;
  tone: string;
  title: string;
  detail?: string;
  /** The step the job is in now. */
  current?: boolean;
}

const OUTCOME_TITLES: Record<string, string> = {
  completed: "completed",
  failed: "failed",
  timeout: "timed out",
  cancelled: "was cancelled",
  interrupted: "was interrupted (its worker died)",
};

const gap = (from: string, to: string) => new Date(to).getTime() - new Date(from).getTime();

function attemptEnd(attempt: Attempt): TimelineEntry {
  const parts = [
    attempt.durationMs === undefined ? undefined : `after ${formatDuration(attempt.durationMs)}`,
    attempt.error,
  ];
  return {
    at: attempt.endedAt,
    tone: attempt.outcome === "completed" ? "completed" : attempt.outcome ?? "failed",
    title: `Attempt ${attempt.number} ${OUTCOME_TITLES[attempt.outcome ?? "failed"]}`,
    detail: parts.filter(Boolean).join(": "),
  };
}

/** The timeline of `job`, oldest step first; `now` (epoch ms) words times still to come. */
export function buildTimeline(job: JobDetail, now: number): TimelineEntry[] {
  const entries: TimelineEntry[] = [{
    at: job.createdAt,
    tone: "queued",
    title: job.retryOf ? "Created as a manual retry" : "Enqueued",
    detail: job.retryOf ? `of job ${shortId(job.retryOf)}` : undefined,
  }];
  const { attempts } = job;
  if (attempts.length === 0 && job.status === "scheduled") {
    entries.push({
      at: job.runAt,
      tone: "scheduled",
      title: "Scheduled",
      detail: `runs ${formatRelative(job.runAt, now)}`,
      current: true,
    });
  }
  attempts.forEach((attempt, i) => {
    entries.push({
      at: attempt.startedAt,
      tone: "in-progress",
      title: `Attempt ${attempt.number} of ${job.maxAttempts} started`,
      detail: `on worker ${attempt.workerId}`,
    });
    if (attempt.endedAt === undefined) {
      entries.push({
        tone: "in-progress",
        title: `Attempt ${attempt.number} running`,
        detail: `${Math.round(job.progress)}% done`,
        current: true,
      });
      return;
    }
    entries.push(attemptEnd(attempt));
    const next = attempts[i + 1];
    const retried = attempt.outcome !== "completed" && attempt.outcome !== "cancelled";
    if (next !== undefined && retried) {
      entries.push({
        at: attempt.endedAt,
        tone: "scheduled",
        title: "Retry scheduled",
        detail: `attempt ${next.number} began ${
          formatDuration(gap(attempt.endedAt, next.startedAt))
        } later`,
      });
    } else if (next === undefined && job.status === "scheduled") {
      entries.push({
        at: attempt.endedAt,
        tone: "scheduled",
        title: "Retry scheduled",
        detail: `attempt ${attempt.number + 1} runs ${formatRelative(job.runAt, now)}`,
        current: true,
      });
    }
  });
  const last = attempts[attempts.length - 1];
  if (job.status === "queued") {
    entries.push({
      at: attempts.length > 0 ? job.runAt : undefined,
      tone: "queued",
      title: attempts.length > 0 ? "Back in the queue" : "Waiting for a worker",
      current: true,
    });
  } else if (job.status === "completed") {
    entries.push({ at: job.finishedAt, tone: "completed", title: "Completed", current: true });
  } else if (job.status === "failed") {
    entries.push({
      at: job.finishedAt,
      tone: "failed",
      title: "Failed",
      detail: `after ${attempts.length} attempt${attempts.length === 1 ? "" : "s"}` +
        (job.error && job.error !== last?.error ? `: ${job.error}` : ""),
      current: true,
    });
  } else if (job.status === "cancelled") {
    entries.push({
      at: job.finishedAt,
      tone: "cancelled",
      title: "Cancelled",
      detail: job.error && job.error !== last?.error ? job.error : undefined,
      current: true,
    });
  }
  return entries;
}

/** The timeline as an ordered list; the step the job is in now is marked `aria-current`. */
export function Timeline({ job, now }: { job: JobDetail; now: number }) {
  return html`
    <ol class="timeline" data-testid="timeline">
      ${buildTimeline(job, now).map((entry, i) =>
        html`
          <li
            key=${i}
            class=${`timeline-step tone-${entry.tone} ${entry.current ? "current" : ""}`}
            aria-current=${entry.current ? "step" : undefined}
          >
            <span class="timeline-title">${entry.title}</span>
            ${entry.at &&
              html`<time class="timeline-time" datetime=${entry.at} title=${formatTime(entry.at)}>${
                formatClock(entry.at)
              }</time>`}
            ${entry.detail && html`<span class="timeline-detail">${entry.detail}</span>`}
          </li>
        `
      )}
    </ol>
  `;
}
