/**
 * How the dashboard writes numbers, durations, rates and times. Pure functions, no DOM and no
 * Preact, so they are tested in Deno as they run in the browser.
 * @module
 */

/** `5 min`, or `5 min 3 s` when the smaller unit is not zero. */
function twoUnits(large: number, largeUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${large} ${largeUnit}` : `${large} ${largeUnit} ${small} ${smallUnit}`;
}

/**
 * `850 ms`, `2.4 s`, `3 min 5 s`, `2 h 4 min`. The duration is rounded to the smallest unit shown
 * before it is split, so 119.7 s is `2 min` (not `1 min 60 s`), and a value that rounds up to the
 * next unit is written in it (999.7 ms is `1.0 s`, 59.6 s is `1 min`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./format.ts";
 *
 * assert.equal(formatDuration(185_000), "3 min 5 s");
 * assert.equal(formatDuration(7_199_000), "2 h");
 * ```
 */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  const millis = Math.round(ms);
  if (millis < 1000) return `${millis} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 100) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return twoUnits(Math.floor(seconds / 60), "min", seconds % 60, "s");
  const minutes = Math.round(ms / 60_000);
  return twoUnits(Math.floor(minutes / 60), "h", minutes % 60, "min");
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * Jobs per second: `0`, `0.35`, `12.5`, `1,204`. Rounded before the precision is chosen, so
 * 99.96 is `100`, not `100.0`.
 */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return "0";
  if (Math.round(perSecond * 100) < 100) return perSecond.toFixed(2);
  if (Math.round(perSecond * 10) < 1000) return perSecond.toFixed(1);
  return formatCount(Math.round(perSecond));
}

/** A share from 0 to 1 as `12.5%`. */
export function formatPercent(share: number): string {
  const percent = share * 100;
  return `${percent === 0 || percent === 100 ? percent : percent.toFixed(1)}%`;
}

/** The local date and time, to the second. */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString("en-GB", {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** The time of day to the millisecond (`22:39:38.123`): steps of a job are often that close. */
export function formatClock(iso: string | undefined): string {
  if (iso === undefined) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const clock = date.toLocaleTimeString("en-GB", { hour12: false });
  return `${clock}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

/** A status as words: `in-progress` → `in progress`. */
export function statusLabel(status: string): string {
  return status.replace("-", " ");
}

/** `just now`, `12 s ago`, `in 3 min`, relative to `now` (epoch ms). */
export function formatRelative(iso: string | undefined, now: number): string {
  if (iso === undefined) return "—";
  const diff = new Date(iso).getTime() - now;
  const magnitude = Math.abs(diff);
  if (magnitude < 1500) return "just now";
  const text = formatDuration(magnitude < 60_000 ? Math.round(magnitude / 1000) * 1000 : magnitude)
    .replace(/ \d+ s$/, "");
  return diff < 0 ? `${text} ago` : `in ${text}`;
}

/** JSON indented for reading; `undefined` as a dash. */
export function formatJson(value: unknown): string {
  return value === undefined ? "—" : JSON.stringify(value, null, 2);
}

/**
 * The last 8 hex digits of an id: enough to tell jobs apart in a table. The end, not the start:
 * job ids are UUIDv7, whose first digits are the creation time and repeat for a minute.
 */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(-8) : id;
}
