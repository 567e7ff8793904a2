/**
 * One job: status and progress, its facts, the timeline of its states, every attempt with its
 * error and duration, payload, result and logs, and the cancel / retry / delete actions. It
 * follows the live feed while open: status and progress change at once, the rest is refetched
 * (at most twice a second).
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, errorMessage } from "./api_client.ts";
import { type FeedEvent, FINAL_STATUSES, type JobDetail } from "./api_types.ts";
import { applyFeedEvent } from "./feed_patch.ts";
import { formatJson } from "./format.ts";
import { useNow } from "./use_now.ts";
import { html } from "./html.ts";
import { JobActions } from "./job_actions.ts";
import { Attempts, Facts, Logs } from "./job_sections.ts";
import { Timeline } from "./job_timeline.ts";
import { useJobEvents } from "./live.ts";
import { ProgressBar } from "./progress_bar.ts";
import { jobsHref } from "./router.ts";
import { StatusBadge } from "./status_badge.ts";
import { useThrottled } from "./use_throttled.ts";

const REFETCH_INTERVAL = 500;

function JobView(props: {
  job: JobDetail;
  deleted: boolean;
  /** Gone as it completed: the server keeps no completed jobs (`--retain-completed 0`). */
  removed: boolean;
  onChanged: (job: JobDetail) => void;
  onDeleted: () => void;
}) {
  const { job, deleted, removed } = props;
  const now = useNow(1000);
  const showProgress = !deleted &&
    (job.status === "in-progress" || (!FINAL_STATUSES.has(job.status) && job.progress > 0));
  return html`
    <div
      class=${`page ${deleted ? "is-deleted" : ""}`}
      data-testid="job-detail"
      data-job-id=${job.id}
    >
      <nav class="breadcrumb" aria-label="Breadcrumb">
        <a href=${jobsHref()}>Jobs</a><span aria-hidden="true">/</span>
        <a href=${jobsHref({ type: job.type })}>${job.type}</a>
      </nav>
      <div class="detail-head">
        <div>
          <h1>
            <span>${job.type}</span>
            ${deleted && !removed
              ? html`<span class="badge status-deleted" data-testid="job-status">deleted</span>`
              : html`<${StatusBadge} status=${job.status} testid="job-status" />`}
          </h1>
          <p class="mono muted job-id" data-testid="job-id">${job.id}</p>
        </div>
        <${JobActions}
          job=${job}
          deleted=${deleted}
          onChanged=${props.onChanged}
          onDeleted=${props.onDeleted}
        />
      </div>
      ${deleted && !removed &&
        html`<p class="notice notice-error" role="alert" data-testid="job-deleted">
          This job was deleted. <a href=${jobsHref()}>Back to the jobs</a>
        </p>`}
      ${removed &&
        html`<p class="notice" role="status" data-testid="job-removed">
          This job completed and is not kept: this server removes completed jobs as they complete
          (retain-completed 0). <a href=${jobsHref()}>Back to the jobs</a>
        </p>`}
      ${showProgress &&
        html`
          <div class="progress-row">
            <${ProgressBar} value=${job.progress} label="Progress" testid="job-progress" />
            <span class="muted">${Math.round(job.progress)}%</span>
          </div>
        `}
      ${job.error &&
        html`<p class="notice notice-error" data-testid="job-error"><strong>Error:</strong> ${job.error}</p>`}
      <div class="detail-grid">
        <section class="card" aria-labelledby="facts-title">
          <h2 id="facts-title">Details</h2>
          <${Facts} job=${job} now=${now} />
        </section>
        <section class="card" aria-labelledby="timeline-title">
          <h2 id="timeline-title">Timeline</h2>
          <${Timeline} job=${job} now=${now} />
        </section>
      </div>
      <section class="card" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        <${Attempts} job=${job} />
      </section>
      <div class="detail-grid">
        <section class="card" aria-labelledby="payload-title">
          <h2 id="payload-title">Payload</h2>
          <pre class="code" data-testid="job-payload">${formatJson(job.payload)}</pre>
        </section>
        <section class="card" aria-labelledby="result-title">
          <h2 id="result-title">Result</h2>
          ${job.result === undefined
            ? html`<p class="muted">${
              FINAL_STATUSES.has(job.status) ? "No result." : "No result yet."
            }</p>`
            : html`<pre class="code" data-testid="job-result">${formatJson(job.result)}</pre>`}
        </section>
      </div>
      <section class="card" aria-labelledby="logs-title">
        <h2 id="logs-title">Logs</h2>
        <${Logs} job=${job} />
      </section>
    </div>
  `;
}

/** `#/jobs/<id>`: loads the job and follows it live; says so when it is missing or deleted. */
export function JobDetailPage({ id }: { id: string }) {
  const [job, setJob] = useState<JobDetail | undefined>();
  const [error, setError] = useState<ApiError | Error | undefined>();
  const [deleted, setDeleted] = useState(false);
  const [removed, setRemoved] = useState(false);
  const generation = useRef(0);
  const deletedRef = useRef(false);
  // The status last shown: a job gone right after it completed was removed as it completed.
  const statusRef = useRef<string | undefined>(undefined);
  statusRef.current = job?.status;

  const markDeleted = (asItCompleted = false) => {
    deletedRef.current = true;
    setDeleted(true);
    setRemoved(asItCompleted);
  };

  const load = async () => {
    if (deletedRef.current) return;
    const mine = ++generation.current;
    try {
      const loaded = await api.job(id);
      if (mine !== generation.current || deletedRef.current) return;
      setJob(loaded);
      setError(undefined);
    } catch (failure) {
      if (mine !== generation.current || deletedRef.current) return;
      if (failure instanceof ApiError && failure.status === 404 && job !== undefined) {
        markDeleted(statusRef.current === "completed");
      } else setError(failure instanceof Error ? failure : new Error(errorMessage(failure)));
    }
  };
  const refetch = useThrottled(load, REFETCH_INTERVAL);

  useEffect(() => {
    deletedRef.current = false;
    setDeleted(false);
    setRemoved(false);
    setJob(undefined);
    setError(undefined);
    load();
  }, [id]);

  useJobEvents((events: FeedEvent[]) => {
    const mine = events.filter((event) => event.id === id);
    if (mine.length === 0 || deletedRef.current) return;
    if (mine.some((event) => event.event === "deleted")) {
      markDeleted();
      return;
    }
    // Status and progress at once; attempts, logs and result come with the refetch.
    setJob((current) => current && mine.reduce(applyFeedEvent, current));
    refetch();
  }, () => refetch());

  if (job === undefined && error !== undefined) {
    const missing = error instanceof ApiError && error.status === 404;
    return html`
      <div class="page" data-testid="job-missing">
        <h1>${missing ? "No such job" : "Could not load the job"}</h1>
        <p class="notice notice-error" role="alert">${error.message}</p>
        <p><a href=${jobsHref()}>Back to the jobs</a></p>
      </div>
    `;
  }
  if (job === undefined) return html`<p class="muted" role="status">Loading job…</p>`;
  return html`
    <${JobView}
      job=${job}
      deleted=${deleted}
      removed=${removed}
      onChanged=${(updated: JobDetail) => setJob(updated)}
      onDeleted=${() => markDeleted()}
    />
  `;
}
