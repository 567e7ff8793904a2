/**
 * The throughput chart's arithmetic: the y axis's rounded ceiling, series scaled to SVG paths,
 * and the words for the span shown. Pure, no DOM and no Preact, so it is tested in Deno.
 * @module
 */

/** The plot's size in SVG user units (the SVG stretches it to the page). */
export const PLOT = { width: 600, height: 160 } as const;

/**
 * A rounded ceiling for the y axis: 1, 2, 5, 10, 20, 50, …, never below 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { niceMax } from "./chart_scale.ts";
 *
 * assert.equal(niceMax(37), 50);
 * ```
 */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/**
 * SVG path data of a series (oldest first) spread across the plot's width, scaled so that `max`
 * is the top; `area` closes it down to the baseline. An empty series draws nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesPath } from "./chart_scale.ts";
 *
 * assert.equal(seriesPath([0, 10], 10, false), "M0.0,160.0L600.0,0.0");
 * ```
 */
export function seriesPath(values: readonly number[], max: number, area: boolean): string {
  if (values.length === 0) return "";
  const { width, height } = PLOT;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((value, i) =>
    `${(i * step).toFixed(1)},${(height - (value / max) * height).toFixed(1)}`
  );
  const line = `M${points.join("L")}`;
  return area ? `${line}L${((values.length - 1) * step).toFixed(1)},${height}L0,${height}Z` : line;
}

/**
 * How far back a series of one point a second reaches, in words: `45 s` under two minutes,
 * whole minutes (`5 min`) from there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesSpan } from "./chart_scale.ts";
 *
 * assert.equal(seriesSpan(300), "5 min");
 * ```
 */
export function seriesSpan(points: number): string {
  return points >= 120 ? `${Math.round(points / 60)} min` : `${points} s`;
}

/** The y axis's labels, top to bottom: the ceiling, its half, zero. */
export function axisLabels(max: number): [string, string, string] {
  return [`${max}/s`, `${max / 2}/s`, "0"];
}
