/**
 * The throughput chart's arithmetic: the y axis's ceiling and labels, series scaled to SVG
 * paths, and the span in words.
 */

import assert from "node:assert/strict";
import { axisLabels, niceMax, PLOT, seriesPath, seriesSpan } from "../../ui/app/chart_scale.ts";

Deno.test("niceMax() rounds up to 1, 2 or 5 times a power of ten", () => {
  const cases: [number, number][] = [
    [0, 1],
    [0.4, 1],
    [1, 1],
    [1.2, 2],
    [2, 2],
    [3, 5],
    [5, 5],
    [7, 10],
    [10, 10],
    [11, 20],
    [37, 50],
    [51, 100],
    [999, 1000],
    [1001, 2000],
  ];
  for (const [value, ceiling] of cases) assert.equal(niceMax(value), ceiling, String(value));
});

Deno.test("niceMax() is never below the value it is given", () => {
  for (let value = 0; value <= 5000; value += 7) assert.ok(niceMax(value) >= value, `${value}`);
});

Deno.test("seriesPath() spreads the points across the plot, max at the top", () => {
  const { width, height } = PLOT;
  assert.equal(
    seriesPath([0, 5, 10], 10, false),
    `M0.0,${height}.0L${width / 2}.0,${height / 2}.0L${width}.0,0.0`,
  );
});

Deno.test("seriesPath() closes an area down to the baseline", () => {
  const { width, height } = PLOT;
  assert.equal(
    seriesPath([10, 10], 10, true),
    `M0.0,0.0L${width}.0,0.0L${width}.0,${height}L0,${height}Z`,
  );
});

Deno.test("seriesPath() draws one point at the left, and nothing for no points", () => {
  assert.equal(seriesPath([2], 4, false), `M0.0,${PLOT.height / 2}.0`);
  assert.equal(seriesPath([], 4, false), "");
  assert.equal(seriesPath([], 4, true), "");
});

Deno.test("seriesSpan() writes seconds under two minutes, whole minutes from there", () => {
  const cases: [number, string][] = [[0, "0 s"], [45, "45 s"], [119, "119 s"], [120, "2 min"], [
    300,
    "5 min",
  ]];
  for (const [points, words] of cases) assert.equal(seriesSpan(points), words, String(points));
});

Deno.test("axisLabels() labels the ceiling, its half and zero", () => {
  assert.deepEqual(axisLabels(50), ["50/s", "25/s", "0"]);
  assert.deepEqual(axisLabels(1), ["1/s", "0.5/s", "0"]);
});
