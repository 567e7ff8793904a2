/**
 * Calls the DenoQueue REST API from the browser; every error answer becomes an `ApiError`
 * carrying the API's code, message and offending field. A call answered 401 (the session's
 * key was revoked or expired) is also reported to the {@linkcode onUnauthorized} listeners,
 * so that the app can bring back the sign-in page wherever it happened.
 * @module
 */

import type {
  JobDetail,
  JobOptionsInput,
  JobStatus,
  JobSummary,
  NodeView,
  Stats,
  TypeDescription,
} from "./api_types.ts";

/** One field problem, as `details.issues` lists them. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** An error answer from the API, or a request that never got one (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly issues: FieldIssue[] = [],
    /** Seconds to wait before trying again (`Retry-After`), on a 429 or 503. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field?: unknown; issues?: unknown } };
}

/**
 * Reads `Retry-After` (seconds, or an HTTP date) as whole seconds from `now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryAfterSeconds } from "./api_client.ts";
 * assert.equal(retryAfterSeconds("42"), 42);
 * assert.equal(retryAfterSeconds(null), undefined);
 * ```
 */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page, say): the status line is all there is to show.
  }
  const error = body.error ?? {};
  const details = error.details ?? {};
  const issues = Array.isArray(details.issues)
    ? (details.issues as FieldIssue[]).filter((issue) => typeof issue?.field === "string")
    : [];
  return new ApiError(
    response.status,
    error.code ?? "http_error",
    error.message ?? `${response.status} ${response.statusText}`,
    typeof details.field === "string" ? details.field : undefined,
    issues,
    retryAfterSeconds(response.headers.get("retry-after")),
  );
}

const unauthorizedListeners = new Set<(error: ApiError) => void>();

/**
 * Calls `listener` with every 401 an API call gets from now on (the session calls excepted:
 * their 401 is an answer, not news). Returns the function that stops it.
 */
export function onUnauthorized(listener: (error: ApiError) => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Whether a 401 is told to the {@linkcode onUnauthorized} listeners; default true. */
  report401?: boolean;
}

async function request(
  method: string,
  path: string,
  { body, signal, report401 = true }: RequestOptions = {},
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, "network", "The server could not be reached");
  }
  if (response.ok) return response;
  const error = await toApiError(response);
  if (error.status === 401 && report401) {
    for (const listener of [...unauthorizedListeners]) listener(error);
  }
  throw error;
}

async function json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal) {
  const response = await request(method, path, { body, signal });
  return await response.json() as T;
}

/** Reads the `cursor` of the `Link: <…>; rel="next"` header, if there is a next page. */
export function nextCursor(link: string | null): string | undefined {
  const match = link === null ? null : /<([^>]+)>\s*;\s*rel="next"/.exec(link);
  if (match === null) return undefined;
  return new URL(match[1], "http://dashboard.invalid").searchParams.get("cursor") ?? undefined;
}

/** What the jobs listing filters and pages by. */
export interface JobQuery {
  status?: JobStatus;
  type?: string;
  cursor?: string;
  limit?: number;
  /** Jobs whose id starts or ends with this. */
  match?: string;
}

/** One page of jobs, newest first. */
export interface JobPage {
  jobs: JobSummary[];
  /** The cursor of the next (older) page, if any. */
  next?: string;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

const jobPath = (id: string) => `/api/jobs/${encodeURIComponent(id)}`;

/** The REST API, one function per call. */
export const api = {
  stats: (signal?: AbortSignal) => json<Stats>("GET", "/api/stats", undefined, signal),
  types: (signal?: AbortSignal) => json<TypeDescription[]>("GET", "/api/types", undefined, signal),
  nodes: (signal?: AbortSignal) => json<NodeView[]>("GET", "/api/nodes", undefined, signal),
  async listJobs(params: JobQuery, signal?: AbortSignal): Promise<JobPage> {
    const response = await request("GET", `/api/jobs${query({ ...params })}`, { signal });
    const jobs = await response.json() as JobSummary[];
    return { jobs, next: nextCursor(response.headers.get("link")) };
  },
  job: (id: string, signal?: AbortSignal) => json<JobDetail>("GET", jobPath(id), undefined, signal),
  enqueue: (input: { type: string; payload: unknown; options?: JobOptionsInput }) =>
    json<JobDetail>("POST", "/api/jobs", input),
  cancel: (id: string) => json<JobDetail>("POST", `${jobPath(id)}/cancel`),
  retry: (id: string) => json<JobDetail>("POST", `${jobPath(id)}/retry`),
  remove: (id: string) => json<{ deleted: string }>("DELETE", jobPath(id)),
  retryAll: (status: "failed" | "cancelled") =>
    json<{ retried: number; remaining: number }>("POST", `/api/jobs/retry-all${query({ status })}`),
  clear: (status: JobStatus) => json<{ removed: number }>("POST", `/api/clear${query({ status })}`),
  /** `GET /api/session`: who this browser is signed in as (unknown JSON: see `readSession`). */
  async session(signal?: AbortSignal): Promise<unknown> {
    const response = await request("GET", "/api/session", { signal, report401: false });
    return await response.json();
  },
  /** `POST /api/session`: signs in with `key`; the server sets the session cookie. */
  async signIn(key: string): Promise<unknown> {
    const response = await request("POST", "/api/session", { body: { key }, report401: false });
    return await response.json();
  },
  /** `DELETE /api/session`: signs out; the server clears the cookie. */
  async signOut(): Promise<void> {
    await request("DELETE", "/api/session", { report401: false });
  },
};

/** The message to show for anything an API call threw. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
