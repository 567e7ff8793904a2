/**
 * Calls the DenoQueue REST API from the browser; every error answer becomes an `ApiError`
 * carrying the API's code, message and offending field.
 * @module
 */

/// <reference lib="dom" />

import type {
  JobDetail,
  JobOptionsInput,
  JobStatus,
  JobSummary,
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
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field?: unknown; issues?: unknown } };
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
  );
}

async function request(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
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
  if (!response.ok) throw await toApiError(response);
  return response;
}

async function json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal) {
  const response = await request(method, path, body, signal);
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
  async listJobs(params: JobQuery, signal?: AbortSignal): Promise<JobPage> {
    const response = await request("GET", `/api/jobs${query({ ...params })}`, undefined, signal);
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
};

/** The message to show for anything an API call threw. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
