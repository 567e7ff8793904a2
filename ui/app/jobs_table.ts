/**
 * The table of jobs: id, type, status, progress, attempt, age and last error of each.
 * @module
 */

/// <reference lib="dom" />

import { FINAL_STATUSES, type JobSummary } from "./api_types.ts";
import { formatRelative, formatTime, shortId } from "./format.ts";
import { html } from "./html.ts";
import { ProgressBar } from "./progress_bar.ts";
import { jobHref } from "./router.ts";
import { StatusBadge } from "./status_badge.ts";

/** One row per job, newest first. */
export function JobsTable({ jobs, now }: { jobs: JobSummary[]; now: number }) {
  return html`
    <div class="table-scroll">
      <table class="table jobs-table cards-narrow" data-testid="jobs-table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col" class="num">Attempt</th>
            <th scope="col">Created</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          ${jobs.map((job) =>
            html`
              <tr key=${job.id} data-testid="job-row" data-job-id=${job.id}>
                <td data-label="Job"><a class="mono" href=${jobHref(job.id)} title=${job
                  .id}>${shortId(
                    job.id,
                  )}</a></td>
                <td data-label="Type">${job.type}</td>
                <td data-label="Status">
                  <${StatusBadge} status=${job.status} testid="job-status" />
                </td>
                <td class="progress-cell" data-label="Progress">
                  ${job.status === "in-progress" ||
                      (!FINAL_STATUSES.has(job.status) && job.progress > 0)
                    ? html`
                      <div class="progress-row">
                        <${ProgressBar} value=${job.progress} label=${`Progress of ${
                          shortId(job.id)
                        }`} />
                        <span class="muted" data-testid="job-progress-figure">${Math.round(
                          job.progress,
                        )}%</span>
                      </div>
                    `
                    : html`<span class="muted">${job.status === "completed" ? "100%" : "—"}</span>`}
                </td>
                <td class="num" data-label="Attempt">${job.attempt}/${job.maxAttempts}</td>
                <td data-label="Created"><time datetime=${job.createdAt} title=${formatTime(
                  job.createdAt,
                )}>${formatRelative(
                  job.createdAt,
                  now,
                )}</time></td>
                <td class="error-cell" data-label="Last error" title=${job.error}>${job.error ??
                  ""}</td>
              </tr>
            `
          )}
        </tbody>
      </table>
    </div>
  `;
}
