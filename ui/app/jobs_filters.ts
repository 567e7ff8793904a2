/**
 * What the jobs listing is filtered by: status tabs with live counts, and go-to-job by id.
 * @module
 */

/// <reference lib="dom" />

import { useState } from "preact/hooks";
import { JOB_STATUSES, type JobStatus, type Stats } from "./api_types.ts";
import { formatCount, statusLabel } from "./format.ts";
import { html } from "./html.ts";
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

export function JobSearch() {
  const [id, setId] = useState("");
  return html`
    <form
      class="search"
      role="search"
      onSubmit=${(event: Event) => {
        event.preventDefault();
        if (id.trim() !== "") navigate(jobHref(id.trim()));
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
    </form>
  `;
}
