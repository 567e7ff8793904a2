/**
 * API test support: a small DenoQueue (real Web Workers, the fixture handlers) driven through
 * `app.request()` with no socket, and the assertions every API test repeats.
 * @module
 */

import assert from "node:assert/strict";
import type { ErrorBody } from "../../api/errors.ts";
import type { jobDetail } from "../../api/job_view.ts";
import { createServer, type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import type { JobStatus } from "../../queue/lifecycle.ts";
import type { PoolStats } from "../../queue/pool/pool.ts";
import type { QueueStats } from "../../queue/observe/queue_stats.ts";
import { FIXTURES } from "../fixtures/handlers.ts";
import { waitFor } from "./wait.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { TEST_LOGGER } from "./log_capture.ts";

/** A job as `GET /api/jobs/:id` shows it. */
export type JobView = ReturnType<typeof jobDetail>;

/** What `GET /api/stats` answers. */
export type StatsView = QueueStats & { workers: PoolStats };

/** A response with its JSON body read (`undefined` when the body is empty). */
export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * The Host to let in for `app.request()`, which sends its requests to `http://localhost/`,
 * without the server's port: pass as `allowedHosts` to a server that tests call in-process.
 */
export const APP_REQUEST_HOSTS: string[] = ["localhost"];

/** Small settings that keep tests fast: one worker, demo jobs 1000x faster, short graces. */
export const TEST_SERVER_OPTIONS: ServerOptions = {
  workers: 1,
  concurrency: 4,
  demoSpeed: 0.001,
  handlers: [FIXTURES],
  killGrace: 200,
  // Jobs that wait for their signal (t-waits) are still running at shutdown: abort them soon.
  shutdownGrace: 200,
  allowedHosts: APP_REQUEST_HOSTS,
  logger: TEST_LOGGER,
};

/** Sends requests to one server's app and reads the answers as JSON. */
export class ApiClient {
  constructor(readonly server: DenoQueueServer) {}

  /** Sends `body` as JSON (a string is sent as it is, for malformed bodies). */
  async send<T>(
    method: string,
    path: string,
    body?: unknown,
    init: RequestInit = {},
  ): Promise<Answer<T>> {
    const headers = new Headers(init.headers);
    if (body !== undefined && !headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
    const response = await this.server.app.request(path, {
      method,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      ...init,
      headers,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text === "" ? undefined : JSON.parse(text)) as T,
    };
  }

  get<T>(path: string): Promise<Answer<T>> {
    return this.send<T>("GET", path);
  }

  post<T>(path: string, body?: unknown, init?: RequestInit): Promise<Answer<T>> {
    return this.send<T>("POST", path, body, init);
  }

  delete<T>(path: string): Promise<Answer<T>> {
    return this.send<T>("DELETE", path);
  }

  /** Enqueues one job through `POST /api/jobs` and returns it, asserting 201. */
  async enqueue(type: string, payload: unknown, options?: Record<string, unknown>) {
    const answer = await this.post<JobView>("/api/jobs", { type, payload, options });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body;
  }

  /** `GET /api/jobs/:id`, asserting 200. */
  async job(id: string): Promise<JobView> {
    const answer = await this.get<JobView>(`/api/jobs/${id}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  }

  /** Polls `GET /api/jobs/:id` until the job is in `status`; returns it then. */
  waitForStatus(id: string, status: JobStatus, timeout = 10_000): Promise<JobView> {
    return waitFor(async () => {
      const job = await this.job(id);
      return job.status === status ? job : undefined;
    }, { timeout, message: `job ${id} to be ${status}` });
  }

  async stats(): Promise<StatsView> {
    const answer = await this.get<StatsView>("/api/stats");
    assert.equal(answer.status, 200);
    return answer.body;
  }

  /** Every job, newest first. */
  async jobs(query = ""): Promise<JobView[]> {
    const answer = await this.get<JobView[]>(`/api/jobs?limit=1000${query}`);
    assert.equal(answer.status, 200);
    return answer.body;
  }
}

/** Runs `test` against a new server and always shuts it down, so sanitizers pass. */
export async function withServer(
  options: ServerOptions,
  test: (api: ApiClient, server: DenoQueueServer) => Promise<void>,
): Promise<void> {
  const server = await createServer({
    store: new MemoryStore(),
    ...TEST_SERVER_OPTIONS,
    ...options,
  });
  try {
    await test(new ApiClient(server), server);
  } finally {
    await server.shutdown();
  }
}

/**
 * Runs `test` against a new server listening on a free port of 127.0.0.1 (its URL, a client
 * of its app, the server and the port), and always shuts it down.
 */
export function withListening(
  options: ServerOptions,
  test: (url: string, api: ApiClient, server: DenoQueueServer, port: number) => Promise<void>,
): Promise<void> {
  return withServer({ port: 0, ...options }, async (api, server) => {
    const { port } = await server.listen();
    await test(`http://127.0.0.1:${port}`, api, server, port);
  });
}

/**
 * Asserts an error answer: its status, the one error shape `{error: {code, message,
 * requestId, details?}}` and its code. Returns the details (empty when absent).
 */
export function assertError(
  answer: Answer<unknown>,
  status: number,
  code: string,
): Record<string, unknown> {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assertErrorShape(answer.body);
  const { error } = answer.body;
  assert.equal(error.code, code, error.message);
  return error.details ?? {};
}

/** Asserts that `body` has exactly the error shape and nothing else. */
export function assertErrorShape(body: unknown): asserts body is ErrorBody {
  assert.ok(typeof body === "object" && body !== null, `not an object: ${body}`);
  assert.deepEqual(Object.keys(body), ["error"]);
  const { error } = body as ErrorBody;
  assert.equal(typeof error.code, "string");
  assert.equal(typeof error.message, "string");
  assert.ok(error.message.length > 0, "the message is empty");
  assert.equal(typeof error.requestId, "string", "the request id is missing");
  for (const key of Object.keys(error)) {
    assert.ok(
      ["code", "message", "requestId", "details"].includes(key),
      `unexpected error field ${key}`,
    );
  }
  if (error.details !== undefined) assert.equal(typeof error.details, "object");
}

/** Total jobs in the store, from `GET /api/stats`. */
export async function storedJobs(api: ApiClient): Promise<number> {
  const { byStatus } = await api.stats();
  return Object.values(byStatus).reduce((sum, count) => sum + count, 0);
}
