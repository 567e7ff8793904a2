/**
 * What the jobs listing is filtered by: status tabs with live counts, and go-to-job by id.
 * @module
 */

/// <reference lib="dom" />

import { useState } from "preact/hooks";
import { JOB_STATUSES, type JobStatus, type Stats } from "./api_types.ts";
import { formatCount, statusLabel } from "./format.ts";
import { html } from "./html.ts";
import { api, errorMessage } from "./api_client.ts";
import { jobHref, jobsHref, navigate } from "./router.ts";

/** How many jobs match the filter, from the live stats. */
export function matching(stats: Stats | undefined, status?: JobStatus, type?: string) {
  if (stats === undefined) return undefined;
  const counts = type ? stats.byType[type] : stats.byStatus;
  if (counts === undefined) return 0;
  return status ? counts[status] : Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export function StatusTabs(props: { status?: JobStatus; type?: string; stats?: Stats }) {
  const { status, type, stats } = props;
  const tabs: (JobStatus | undefined)[] = [undefined, ...JOB_STATUSES];
  return html`
    <nav class="tabs" aria-label="Filter by status">
      ${tabs.map((tab) => {
        const count = matching(stats, tab, type);
        return html`
          <a
            key=${tab ?? "all"}
            class=${`tab ${tab ? `tab-${tab}` : ""}`}
            href=${jobsHref({ status: tab, type })}
            aria-current=${tab === status ? "page" : undefined}
            data-testid=${`tab-${tab ?? "all"}`}
          >${tab ? statusLabel(tab) : "all"}${count === undefined ? null : html`
            <span class="count">${formatCount(
              count,
            )}</span>
          `}</a>
        `;
      })}
    </nav>
  `;
}

/** A job id in full (a UUID), or only the part the jobs list shows. */
const FULL_ID = /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i;

/**
 * Finds the job `text` names: a full id as it is, or the start or end of one (the list shows
 * the last 8 characters) when exactly one job's id has it. Resolves with the id, or says why not.
 */
async function resolveJobId(text: string): Promise<{ id?: string; problem?: string }> {
  if (FULL_ID.test(text)) return { id: text };
  const { jobs } = await api.listJobs({ match: text, limit: 2 });
  if (jobs.length === 1) return { id: jobs[0].id };
  return {
    problem: jobs.length === 0
      ? `No job's id starts or ends with ${text}`
      : `More than one job's id has ${text}; type more of it`,
  };
}

export function JobSearch() {
  const [id, setId] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  return html`
    <form
      class="search"
      role="search"
      onSubmit=${async (event: Event) => {
        event.preventDefault();
        const text = id.trim();
        if (text === "") return;
        try {
          const found = await resolveJobId(text);
          setProblem(found.problem);
          if (found.id !== undefined) navigate(jobHref(found.id));
        } catch (error) {
          setProblem(errorMessage(error));
        }
      }}
    >
      <label for="job-search">Go to job</label>
      <input
        id="job-search"
        type="search"
        placeholder="Job id"
        autocomplete="off"
        spellcheck=${false}
        value=${id}
        data-testid="job-search"
        onInput=${(event: Event) => setId((event.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="button">Open</button>
      ${problem &&
        html`<p class="field-error" role="alert" data-testid="job-search-error">${problem}</p>`}
    </form>
  `;
}
