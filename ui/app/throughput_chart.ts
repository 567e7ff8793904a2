/**
 * Jobs completed and failed per second over the last minutes, as an inline SVG drawn from the
 * stats' `throughput.series` (one point a second, oldest first). Axis labels live in HTML so
 * they do not stretch with the plot.
 * @module
 */

/// <reference lib="dom" />

import { useState } from "preact/hooks";
import type { Stats } from "./api_types.ts";
import { formatCount, formatRate } from "./format.ts";
import { html } from "./html.ts";

const WIDTH = 600;
const HEIGHT = 160;

/** A rounded ceiling for the y axis: 1, 2, 5, 10, 20, 50, … */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** SVG path data of a series scaled to the plot; `area` closes it down to the baseline. */
export function seriesPath(values: number[], max: number, area: boolean): string {
  if (values.length === 0) return "";
  const step = values.length > 1 ? WIDTH / (values.length - 1) : 0;
  const points = values.map((value, i) =>
    `${(i * step).toFixed(1)},${(HEIGHT - (value / max) * HEIGHT).toFixed(1)}`
  );
  const line = `M${points.join("L")}`;
  return area ? `${line}L${((values.length - 1) * step).toFixed(1)},${HEIGHT}L0,${HEIGHT}Z` : line;
}

const RANGES = [
  { seconds: 60, label: "1 min" },
  { seconds: 300, label: "5 min" },
];

/** The chart, with the per-second rates and a 1 min / 5 min range switch. */
export function ThroughputChart({ throughput }: { throughput: Stats["throughput"] }) {
  const [range, setRange] = useState(300);
  const completed = throughput.series.completed.slice(-range);
  const failed = throughput.series.failed.slice(-range);
  const max = niceMax(Math.max(0, ...completed, ...failed));
  const span = completed.length >= 120
    ? `${Math.round(completed.length / 60)} min`
    : `${completed.length} s`;
  const totalCompleted = completed.reduce((sum, n) => sum + n, 0);
  const totalFailed = failed.reduce((sum, n) => sum + n, 0);
  const summary = `Jobs per second over the last ${span}: ${
    formatCount(totalCompleted)
  } completed, ${formatCount(totalFailed)} failed; the scale goes to ${max} per second`;
  return html`
    <figure class="chart" data-testid="throughput-chart">
      <div class="chart-rates">
        <span class="legend legend-completed">
          <strong data-testid="completed-rate">${formatRate(throughput.completedPerSecond)}</strong>
          <span class="unit">completed/s</span>
        </span>
        <span class="legend legend-failed">
          <strong data-testid="failed-rate">${formatRate(throughput.failedPerSecond)}</strong>
          <span class="unit">failed/s</span>
        </span>
        <span class="muted small">average of the last ${throughput.windowSeconds} s</span>
        <span class="segmented" role="group" aria-label="Time range">
          ${RANGES.map(({ seconds, label }) =>
            html`
              <button
                type="button"
                key=${seconds}
                aria-pressed=${range === seconds}
                onClick=${() => setRange(seconds)}
              >${label}</button>
            `
          )}
        </span>
      </div>
      <div class="chart-body">
        <div class="chart-y" aria-hidden="true">
          <span>${max}/s</span><span>${max / 2}/s</span><span>0</span>
        </div>
        <svg
          class="chart-plot"
          viewBox=${`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label=${summary}
        >
          <line class="chart-grid" x1="0" x2=${WIDTH} y1="0" y2="0" />
          <line class="chart-grid" x1="0" x2=${WIDTH} y1=${HEIGHT / 2} y2=${HEIGHT / 2} />
          <line class="chart-axis" x1="0" x2=${WIDTH} y1=${HEIGHT} y2=${HEIGHT} />
          <path class="series-failed" d=${seriesPath(failed, max, false)} />
          <path class="series-completed-area" d=${seriesPath(completed, max, true)} />
          <path class="series-completed" d=${seriesPath(completed, max, false)} />
        </svg>
      </div>
      <figcaption class="chart-x" aria-hidden="true">
        <span>${span} ago</span><span>now</span>
      </figcaption>
    </figure>
  `;
}
