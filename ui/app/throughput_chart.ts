/**
 * Jobs completed and failed per second over the last minutes, as an inline SVG drawn from the
 * stats' `throughput.series` (one point a second, oldest first). Axis labels live in HTML so
 * they do not stretch with the plot.
 * @module
 */

/// <reference lib="dom" />

import { useState } from "preact/hooks";
import type { Stats } from "./api_types.ts";
import { axisLabels, niceMax, PLOT, seriesPath, seriesSpan } from "./chart_scale.ts";
import { formatCount, formatRate } from "./format.ts";
import { html } from "./html.ts";

const { width: WIDTH, height: HEIGHT } = PLOT;

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
  const span = seriesSpan(completed.length);
  const [top, middle, bottom] = axisLabels(max);
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
        <span class="muted small" data-testid="rate-window">${// The rates are the last minute's whatever the chart spans: the caption says both.
        `rates over the last ${
          seriesSpan(throughput.windowSeconds)
        }, chart over the last ${span}`}</span>
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
          <span>${top}</span><span>${middle}</span><span>${bottom}</span>
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
