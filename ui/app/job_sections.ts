/**
 * The sections of a job's page: its facts, its attempts with errors and durations, its logs.
 * @module
 */

/// <reference lib="dom" />

import type { JobDetail } from "./api_types.ts";
import { formatClock, formatDuration, formatRelative, formatTime } from "./format.ts";
import { html } from "./html.ts";
import { jobHref, jobsHref } from "./router.ts";

export function Facts({ job, now }: { job: JobDetail; now: number }) {
  const { backoff } = job;
  return html`
    <dl class="facts" data-testid="job-facts">
      <dt>Type</dt><dd><a href=${jobsHref({ type: job.type })}>${job.type}</a></dd>
      <dt>Attempts</dt><dd data-testid="job-attempt">${job.attempt} of ${job.maxAttempts}</dd>
      <dt>Timeout</dt><dd>${formatDuration(job.timeout)}</dd>
      <dt>Backoff</dt>
      <dd>${formatDuration(backoff.base)} × ${backoff.factor}, at most ${formatDuration(
        backoff.cap,
      )}</dd>
      <dt>Created</dt><dd><time datetime=${job.createdAt}>${formatTime(job.createdAt)}</time></dd>
      ${job.status === "scheduled" &&
        html`
          <dt>Runs</dt>
          <dd><time datetime=${job.runAt}>${formatRelative(job.runAt, now)}</time></dd>
        `}
      ${job.finishedAt &&
        html`
          <dt>Finished</dt>
          <dd><time datetime=${job.finishedAt}>${formatTime(job.finishedAt)}</time></dd>
        `}
      ${job.retryOf &&
        html`
          <dt>Retry of</dt>
          <dd><a class="mono" href=${jobHref(job.retryOf)}>${job.retryOf}</a></dd>
        `}
    </dl>
  `;
}

export function Attempts({ job }: { job: JobDetail }) {
  if (job.attempts.length === 0) return html`<p class="muted">No attempt yet.</p>`;
  return html`
    <div class="table-scroll">
      <table class="table cards-narrow" data-testid="attempts">
        <thead>
          <tr>
            <th scope="col" class="num">#</th>
            <th scope="col">Worker</th>
            <th scope="col">Started</th>
            <th scope="col" class="num">Duration</th>
            <th scope="col">Outcome</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          ${job.attempts.map((attempt) =>
            html`
              <tr key=${attempt.number} data-testid="attempt-row">
                <td class="num" data-label="Attempt">${attempt.number}</td>
                <td class="mono" data-label="Worker">${attempt.workerId}</td>
                <td data-label="Started"><time datetime=${attempt.startedAt}>${formatTime(
                  attempt.startedAt,
                )}</time></td>
                <td class="num" data-label="Duration">${attempt.endedAt
                  ? formatDuration(attempt.durationMs)
                  : "running"}</td>
                <td data-label="Outcome">
                  <span class=${`outcome outcome-${
                    attempt.outcome ?? "running"
                  }`}>${attempt.outcome ??
                    "running"}</span>
                </td>
                <td class="attempt-error" data-label="Error">
                  ${attempt.error &&
                    html`<span data-testid="attempt-error">${attempt.error}</span>`}
                  ${attempt.stack &&
                    html`
                      <details>
                        <summary>Stack</summary>
                        <pre class="code small">${attempt.stack}</pre>
                      </details>
                    `}
                </td>
              </tr>
            `
          )}
        </tbody>
      </table>
    </div>
  `;
}

export function Logs({ job }: { job: JobDetail }) {
  if (job.logs.length === 0) return html`<p class="muted">The handler wrote no log line.</p>`;
  return html`
    <ol class="logs" data-testid="logs">
      ${job.logs.map((line, i) =>
        html`
          <li key=${i}>
            <time datetime=${line.at} title=${formatTime(line.at)}>${formatClock(line.at)}</time>
            <span class="muted">#${line.attempt}</span>
            <span class="log-message">${line.message}</span>
          </li>
        `
      )}
    </ol>
  `;
}
