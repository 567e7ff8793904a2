/**
 * The overview: live counts by status, throughput chart, queue fill against capacity, workers
 * busy and idle by sandbox, the table of job types and the bulk actions (those the key's role
 * allows). Everything comes from the live feed's stats snapshots, but for the permissions the
 * types declare (`GET /api/types`, asked once: they are fixed while the server runs).
 * @module
 */

/// <reference lib="dom" />

import { JOB_STATUSES, type Stats } from "./api_types.ts";
import { BulkActions, hasBulkActions } from "./bulk_actions.ts";
import { formatCount, formatPercent, statusLabel } from "./format.ts";
import { html } from "./html.ts";
import { useLiveStats } from "./live.ts";
import { ProgressBar } from "./progress_bar.ts";
import { jobsHref } from "./router.ts";
import { sandboxTypesKey } from "./sandboxes.ts";
import { useCan } from "./session_context.ts";
import { ThroughputChart } from "./throughput_chart.ts";
import { TypeTable } from "./type_table.ts";
import { useTypePermissions } from "./use_type_permissions.ts";
import { WorkersCard } from "./workers_card.ts";

function StatusCounts({ stats }: { stats: Stats }) {
  return html`
    <ul class="stat-grid" aria-label="Jobs by status">
      ${JOB_STATUSES.map((status) =>
        html`
          <li key=${status}>
            <a class=${`stat stat-${status}`} href=${jobsHref({
              status,
            })} data-testid=${`count-${status}`}>
              <span class="stat-value">${formatCount(stats.byStatus[status])}</span>
              <span class="stat-label">${statusLabel(status)}</span>
            </a>
          </li>
        `
      )}
    </ul>
  `;
}

function Capacity({ capacity }: { capacity: Stats["capacity"] }) {
  const share = capacity.limit > 0 ? capacity.used / capacity.limit : 0;
  const tone = share >= 0.9 ? "bar-danger" : share >= 0.7 ? "bar-warn" : "";
  return html`
    <section class="card" aria-labelledby="capacity-title" data-testid="capacity">
      <h2 id="capacity-title">Queue fill</h2>
      <p class="figure">
        <strong>${formatCount(capacity.used)}</strong>
        <span class="muted"> of ${formatCount(capacity.limit)} unfinished jobs (${formatPercent(
          share,
        )})</span>
      </p>
      <${ProgressBar} value=${share * 100} label="Queue fill against capacity" tone=${tone} />
      <p class="muted small">
        ${capacity.waiting > 0
          ? html`<span class="text-failed">${
            formatCount(capacity.waiting)
          } producer(s) waiting for room</span>`
          : "No producer waiting for room"}
      </p>
    </section>
  `;
}

/** `#/`: the overview, drawn from the latest stats snapshot. */
export function Overview() {
  const stats = useLiveStats();
  const can = useCan();
  const permissions = useTypePermissions(
    stats && sandboxTypesKey(stats.workers.sandboxes),
  );
  if (stats === undefined) {
    return html`<p class="muted" role="status" data-testid="overview-loading">Connecting to the live feed…</p>`;
  }
  return html`
    <div class="page" data-testid="overview">
      <h1 class="visually-hidden">Overview</h1>
      <${StatusCounts} stats=${stats} />
      <section class="card" aria-labelledby="throughput-title">
        <h2 id="throughput-title">Throughput</h2>
        <${ThroughputChart} throughput=${stats.throughput} />
      </section>
      <div class="card-row">
        <${Capacity} capacity=${stats.capacity} />
        <${WorkersCard} workers=${stats.workers} />
      </div>
      <section class="card" aria-labelledby="types-title">
        <h2 id="types-title">Job types</h2>
        <${TypeTable}
          stats=${stats}
          canEnqueue=${can("enqueue")}
          permissions=${permissions}
        />
      </section>
      ${hasBulkActions(can) &&
        html`
          <section class="card" aria-labelledby="bulk-title">
            <h2 id="bulk-title">Bulk actions</h2>
            <${BulkActions} counts=${stats} allowed=${can} />
          </section>
        `}
    </div>
  `;
}
