/**
 * The dashboard's formatting: durations, counts, rates, shares, times and ids, as the pages
 * write them.
 */

import assert from "node:assert/strict";
import {
  formatClock,
  formatCount,
  formatDuration,
  formatJson,
  formatPercent,
  formatRate,
  formatRelative,
  formatTime,
  shortId,
  statusLabel,
} from "../../ui/app/format.ts";

/** Asserts `format` writes each input as expected. */
function assertWrites<T>(format: (value: T) => string, cases: [T, string][]): void {
  for (const [value, expected] of cases) assert.equal(format(value), expected, String(value));
}

Deno.test("formatDuration() picks the unit by size", () => {
  assertWrites(formatDuration, [
    [0, "0 ms"],
    [850, "850 ms"],
    [2_400, "2.4 s"],
    [42_000, "42 s"],
    [185_000, "3 min 5 s"],
    [300_000, "5 min"],
    [7_440_000, "2 h 4 min"],
    [7_200_000, "2 h"],
    [90_000_000, "25 h"],
  ]);
});

Deno.test("formatDuration() rounds to the unit shown before splitting", () => {
  assertWrites(formatDuration, [
    [119_700, "2 min"],
    [7_199_000, "2 h"],
    [3_599_700, "1 h"],
    [3_569_800, "59 min 30 s"],
    [7_170_000, "2 h"],
  ]);
});

Deno.test("formatDuration() writes a value that rounds up in the next unit", () => {
  assertWrites(formatDuration, [
    [999.4, "999 ms"],
    [999.7, "1.0 s"],
    [9_940, "9.9 s"],
    [9_960, "10 s"],
    [59_400, "59 s"],
    [59_600, "1 min"],
  ]);
});

Deno.test("formatDuration() writes a dash for no duration", () => {
  assertWrites(formatDuration, [[undefined, "—"], [NaN, "—"], [Infinity, "—"]]);
});

Deno.test("formatCount() separates thousands", () => {
  assertWrites(formatCount, [[0, "0"], [999, "999"], [1_204, "1,204"], [1_234_567, "1,234,567"]]);
});

Deno.test("formatRate() gives small rates more decimals", () => {
  assertWrites(formatRate, [
    [0, "0"],
    [0.35, "0.35"],
    [12.5, "12.5"],
    [1_204.4, "1,204"],
  ]);
});

Deno.test("formatRate() rounds before choosing the decimals", () => {
  assertWrites(formatRate, [[0.996, "1.0"], [99.94, "99.9"], [99.96, "100"]]);
});

Deno.test("formatPercent() writes 0 and 100 bare, others to a tenth", () => {
  assertWrites(formatPercent, [[0, "0%"], [1, "100%"], [0.125, "12.5%"], [0.5, "50.0%"]]);
});

Deno.test("formatTime() and formatClock() write the local time", () => {
  // Built from local fields, so the expectation holds in any time zone.
  const iso = new Date(2026, 0, 5, 14, 3, 9, 45).toISOString();
  assert.equal(formatTime(iso), "05 Jan 2026, 14:03:09");
  assert.equal(formatClock(iso), "14:03:09.045");
  assertWrites(formatTime, [[undefined, "—"], ["not a date", "not a date"]]);
  assertWrites(formatClock, [[undefined, "—"], ["not a date", "not a date"]]);
});

Deno.test("formatRelative() says how long ago or how soon, to the larger unit", () => {
  const now = Date.UTC(2026, 0, 5, 12);
  const at = (offset: number) => new Date(now + offset).toISOString();
  assert.equal(formatRelative(at(-1_000), now), "just now");
  assert.equal(formatRelative(at(1_400), now), "just now");
  assert.equal(formatRelative(at(-12_300), now), "12 s ago");
  assert.equal(formatRelative(at(-90_000), now), "1 min ago");
  assert.equal(formatRelative(at(-119_700), now), "2 min ago");
  assert.equal(formatRelative(at(200_000), now), "in 3 min");
  assert.equal(formatRelative(at(-7_440_000), now), "2 h 4 min ago");
  assert.equal(formatRelative(undefined, now), "—");
});

Deno.test("formatJson() indents, and writes a dash for nothing", () => {
  assert.equal(formatJson({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
  assert.equal(formatJson(null), "null");
  assert.equal(formatJson(undefined), "—");
});

Deno.test("shortId() keeps the last 8 characters", () => {
  assertWrites(shortId, [
    ["0192f3a4-7b1c-7d2e-8f90-a1b2c3d4e5f6", "c3d4e5f6"],
    ["abc", "abc"],
  ]);
});

Deno.test("statusLabel() writes a status as words", () => {
  assertWrites(statusLabel, [["in-progress", "in progress"], ["failed", "failed"]]);
});
