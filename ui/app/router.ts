/**
 * Hash routing (`#/`, `#/jobs?status=failed`, `#/jobs/<id>`, `#/enqueue`, `#/nodes`): every view has an
 * address the browser's history and links keep, with no server routes.
 * @module
 */

/// <reference lib="dom" />

import { useEffect, useState } from "preact/hooks";

/** Where the dashboard is: the path's segments and the query. */
export interface Route {
  segments: string[];
  query: URLSearchParams;
}

/** Parses `#/jobs/abc?x=1` into `{segments: ["jobs", "abc"], query: x=1}`. */
export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, "");
  const mark = text.indexOf("?");
  const path = mark === -1 ? text : text.slice(0, mark);
  const segments = path.split("/").filter((part) => part !== "").map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  return { segments, query: new URLSearchParams(mark === -1 ? "" : text.slice(mark + 1)) };
}

/** The current route; re-renders on every hash change. */
export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return parseHash(hash);
}

/** Link to the jobs listing with the given filters; empty values are left out. */
export function jobsHref(params: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text === "" ? "#/jobs" : `#/jobs?${text}`;
}

/** Link to one job's page. */
export function jobHref(id: string): string {
  return `#/jobs/${encodeURIComponent(id)}`;
}

/** Goes to a `#/…` address without reloading. */
export function navigate(href: string): void {
  location.hash = href.slice(1);
}
