/**
 * One row per job type: counts by status, mean and p95 duration and failure rate of recent
 * attempts; under its name, the permissions its handler runs with.
 * @module
 */

/// <reference lib="dom" />

import { JOB_STATUSES, type Stats } from "./api_types.ts";
import { formatCount, formatDuration, formatPercent } from "./format.ts";
import { html } from "./html.ts";
import { jobsHref } from "./router.ts";
import { permissionsText } from "./sandboxes.ts";
import type { TypePermissions } from "./use_type_permissions.ts";

/**
 * A type's permissions, on a line under its name (a column would push the table past a
 * desktop's width): `no permissions`, or what it may use; `…` until they are known, `no
 * handler` for a type of stored jobs that no loaded handler defines.
 */
function PermissionsLine({ type, permissions }: { type: string; permissions: TypePermissions }) {
  const declared = permissions.byType?.get(type);
  const text = declared !== undefined
    ? permissionsText(declared)
    : permissions.byType !== undefined
    ? "no handler"
    : permissions.error === undefined
    ? "…"
    : "—";
  const granted = declared !== undefined && text !== "none";
  return html`
    <span
      class=${`type-permissions small ${granted ? "" : "muted"}`}
      data-testid="type-permissions"
      title=${granted ? "What its handler may use" : undefined}
    >${text === "none" ? "no permissions" : text}</span>
  `;
}

/**
 * The table of types, every count linking to the jobs it counts; with none yet, a link to the
 * enqueue form when `canEnqueue`.
 */
export function TypeTable(
  { stats, canEnqueue, permissions }: {
    stats: Stats;
    canEnqueue: boolean;
    permissions: TypePermissions;
  },
) {
  const types = [...new Set([...Object.keys(stats.byType), ...Object.keys(stats.types)])].sort();
  if (types.length === 0) {
    const enqueue = canEnqueue ? html`<a href="#/enqueue">Enqueue one</a>.` : null;
    return html`<p class="muted" data-testid="type-table-empty">No jobs yet. ${enqueue}</p>`;
  }
  return html`
    <div class="table-scroll">
      <table class="table cards-narrow" data-testid="type-table">
        <thead>
          <tr>
            <th scope="col">Type</th>
            ${JOB_STATUSES.map((status) => html`<th scope="col" class="num">${status}</th>`)}
            <th scope="col" class="num">Mean</th>
            <th scope="col" class="num">p95</th>
            <th scope="col" class="num">Failure rate</th>
          </tr>
        </thead>
        <tbody>
          ${types.map((type) => {
            const counts = stats.byType[type];
            const metric = stats.types[type];
            return html`
              <tr key=${type} data-testid=${`type-row-${type}`}>
                <th scope="row">
                  <a href=${jobsHref({ type })}>${type}</a>
                  <${PermissionsLine} type=${type} permissions=${permissions} />
                </th>
                ${JOB_STATUSES.map((status) => {
                  const count = counts?.[status] ?? 0;
                  return html`<td class=${`num ${
                    count === 0 ? "zero" : ""
                  }`} data-label=${status}>${
                    count === 0
                      ? "0"
                      : html`<a href=${jobsHref({ type, status })}>${formatCount(count)}</a>`
                  }</td>`;
                })}
                <td class="num" data-label="Mean">${metric
                  ? formatDuration(metric.meanMs)
                  : "—"}</td>
                <td class="num" data-label="p95">${metric ? formatDuration(metric.p95Ms) : "—"}</td>
                <td
                  class=${`num ${metric && metric.failureRate > 0 ? "text-failed" : ""}`}
                  data-label="Failure rate"
                >
                  ${metric ? formatPercent(metric.failureRate) : "—"}
                </td>
              </tr>
            `;
          })}
        </tbody>
      </table>
    </div>
    ${permissions.error &&
      html`<p class="muted small" role="alert" data-testid="type-permissions-error">
        Could not load the types' permissions: ${permissions.error}
      </p>`}
  `;
}
