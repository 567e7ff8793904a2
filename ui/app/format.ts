/**
 * How the dashboard writes numbers, durations, rates and times.
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useState } from "preact/hooks";

/** `850 ms`, `2.4 s`, `3 min 5 s`, `2 h 4 min`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) {
    const minutes = Math.floor(ms / 60_000);
    const seconds = Math.round((ms % 60_000) / 1000);
    return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  }
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.round((ms % 3_600_000) / 60_000);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Jobs per second: `0`, `0.35`, `12.5`, `1,204`. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return "0";
  if (perSecond < 1) return perSecond.toFixed(2);
  if (perSecond < 100) return perSecond.toFixed(1);
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

/** The current time, updated every `interval` ms: keeps relative times fresh. */
export function useNow(interval = 5000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), interval);
    return () => clearInterval(timer);
  }, [interval]);
  return now;
}
