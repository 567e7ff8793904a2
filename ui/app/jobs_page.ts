/**
 * The jobs listing: status tabs and a type filter, go-to-job by id, paging through the API's
 * `Link` header, and rows that follow the live feed (status and progress change in place; the
 * page is refetched, at most twice a second, when jobs enter or leave what it shows).
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useRef, useState } from "preact/hooks";
import { api, errorMessage, type JobPage } from "./api_client.ts";
import { type FeedEvent, JOB_STATUSES, type JobStatus } from "./api_types.ts";
import { applyFeedEvent } from "./feed_patch.ts";
import { useNow } from "./use_now.ts";
import { html } from "./html.ts";
import { JobSearch, StatusTabs } from "./jobs_filters.ts";
import { JobsTable } from "./jobs_table.ts";
import { useJobEvents, useLiveStats } from "./live.ts";
import { jobsHref, navigate } from "./router.ts";
import { useThrottled } from "./use_throttled.ts";

const PAGE_SIZE = 50;
/** Refetches caused by the live feed: at most two a second. */
const REFETCH_INTERVAL = 500;

function statusParam(value: string | null): JobStatus | undefined {
  return JOB_STATUSES.find((status) => status === value);
}

function emptyText(status?: JobStatus, type?: string, cursor?: string): string {
  const what = [status ? `No ${status} jobs` : "No jobs", type ? `of type ${type}` : ""];
  return `${what.filter(Boolean).join(" ")} ${cursor ? "on this page" : "yet"}.`;
}

/** `#/jobs?status=&type=&cursor=`: the filtered, paged, live listing. */
export function JobsPage({ query }: { query: URLSearchParams }) {
  const status = statusParam(query.get("status"));
  const type = query.get("type") ?? undefined;
  const cursor = query.get("cursor") ?? undefined;
  const stats = useLiveStats();
  const now = useNow();
  const [page, setPage] = useState<JobPage | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [types, setTypes] = useState<string[]>([]);
  // Cursors of the newer pages walked through, to page back.
  const [newer, setNewer] = useState<(string | undefined)[]>([]);
  const pageRef = useRef<JobPage | undefined>(undefined);
  const generation = useRef(0);

  const show = (next: JobPage) => {
    pageRef.current = next;
    setPage(next);
  };

  const load = async () => {
    const mine = ++generation.current;
    try {
      const result = await api.listJobs({ status, type, cursor, limit: PAGE_SIZE });
      if (mine !== generation.current) return;
      show(result);
      setError(undefined);
    } catch (failure) {
      if (mine === generation.current) setError(errorMessage(failure));
    }
  };
  const refetch = useThrottled(load, REFETCH_INTERVAL);

  useEffect(() => {
    load();
  }, [status, type, cursor]);
  useEffect(() => {
    if (cursor === undefined) setNewer([]);
  }, [status, type, cursor]);
  useEffect(() => {
    const controller = new AbortController();
    api.types(controller.signal).then(
      (list) => setTypes(list.map((entry) => entry.type)),
      () => {/* the filter then offers the types seen in stats */},
    );
    return () => controller.abort();
  }, []);

  useJobEvents((events: FeedEvent[]) => {
    const current = pageRef.current;
    if (current === undefined) return;
    const rows = new Map(current.jobs.map((job) => [job.id, job]));
    let changed = false;
    let stale = false;
    for (const event of events) {
      const row = rows.get(event.id);
      if (row !== undefined) {
        if (event.event === "deleted") rows.delete(event.id);
        else rows.set(event.id, applyFeedEvent(row, event));
        changed = true;
        // A row that left the filter makes room for another.
        if (event.event === "deleted" || (status && event.status && event.status !== status)) {
          stale = true;
        }
      } else if (cursor === undefined && event.event !== "deleted") {
        // A job that is not shown enters the first page when it matches the filter now.
        if (type && event.type !== type) continue;
        if (status ? event.status === status : event.event === "enqueued") stale = true;
      }
    }
    if (changed) show({ ...current, jobs: [...rows.values()] });
    if (stale) refetch();
  }, () => refetch());

  const setType = (value: string) => navigate(jobsHref({ status, type: value || undefined }));
  const allTypes = [...new Set([...types, ...Object.keys(stats?.byType ?? {})])].sort();

  return html`
    <div class="page" data-testid="jobs-page">
      <div class="page-head">
        <h1>Jobs</h1>
        <${JobSearch} />
      </div>
      <${StatusTabs} status=${status} type=${type} stats=${stats} />
      <div class="filters">
        <label for="type-filter">Type</label>
        <select
          id="type-filter"
          data-testid="filter-type"
          value=${type ?? ""}
          onChange=${(event: Event) => setType((event.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">All types</option>
          ${allTypes.map((name) => html`<option key=${name} value=${name}>${name}</option>`)}
        </select>
        <span class="muted small" aria-live="polite">
          ${page === undefined
            ? "Loading…"
            : `${page.jobs.length} shown, newest first${cursor ? "" : " · updates live"}`}
        </span>
      </div>
      ${error &&
        html`<p class="notice notice-error" role="alert">Could not load jobs: ${error}</p>`}
      ${page && page.jobs.length === 0
        ? html`<p class="empty" data-testid="jobs-empty">${emptyText(status, type, cursor)}</p>`
        : page && html`<${JobsTable} jobs=${page.jobs} now=${now} />`}
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          class="button"
          disabled=${cursor === undefined}
          data-testid="page-newer"
          onClick=${() => {
            const previous = newer[newer.length - 1];
            setNewer(newer.slice(0, -1));
            navigate(jobsHref({ status, type, cursor: previous }));
          }}
        >← Newer</button>
        <button
          type="button"
          class="button"
          disabled=${page?.next === undefined}
          data-testid="page-older"
          onClick=${() => {
            setNewer([...newer, cursor]);
            navigate(jobsHref({ status, type, cursor: page?.next }));
          }}
        >Older →</button>
      </nav>
    </div>
  `;
}
