/**
 * Jobs as a resource: enqueue one or a batch, list with filters and paging, read, cancel,
 * retry, delete.
 * @module
 */

import { Hono } from "hono";
import { allow, auditTarget } from "../auth/route_rule.ts";
import { readJson, waitSignal } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { parseJobsInput } from "../job_input.ts";
import { jobDetail, jobSummary } from "../job_view.ts";
import { statusParam } from "./goqueue.ts";
import type { Job } from "../../queue/job.ts";
import type { JobStatus } from "../../queue/lifecycle.ts";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Longest `?wait=` in ms. */
const MAX_WAIT = 60_000;

function integerParam(name: string, value: string | undefined, min: number, max: number) {
  if (value === undefined || value === "") return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new HttpError(
      400,
      "invalid_query",
      `${name} must be a whole number from ${min} to ${max}, received ${JSON.stringify(value)}`,
      { field: name },
    );
  }
  return number;
}

/** Whether a `Prefer` header asks for `return=minimal` (RFC 7240). */
function prefersMinimal(prefer: string | undefined): boolean {
  return prefer !== undefined && /(^|[,;\s])return\s*=\s*"?minimal"?\s*($|[,;])/i.test(prefer);
}

/** What `Prefer: return=minimal` answers for a job: its id and status. */
function minimalView(job: Job): { id: string; status: JobStatus } {
  return { id: job.id, status: job.status };
}

export function jobRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const { queue } = deps;

  app.post("/jobs", allow("producer"), async (c) => {
    const wait = integerParam("wait", c.req.query("wait"), 0, MAX_WAIT);
    const { jobs, batch } = parseJobsInput(await readJson(c, deps.bodies));
    let created = await queue.enqueue(jobs, waitSignal(c, { batch }));
    if (wait !== undefined && wait > 0) {
      // Answer once every job is final (or the wait runs out): enqueue-and-wait, RPC style.
      // A client that leaves ends the wait at once: its signal aborts, its waiters and timers go.
      const { signal } = c.req.raw;
      created = await Promise.all(
        created.map(async (job) =>
          await queue.waitForFinal(job.id, { timeout: wait, signal }) ?? job
        ),
      );
    }
    if (prefersMinimal(c.req.header("prefer"))) {
      // RFC 7240: a producer that needs only the ids is spared the full views.
      c.header("Preference-Applied", "return=minimal");
      return c.json(batch ? created.map(minimalView) : minimalView(created[0]), 201);
    }
    return c.json(batch ? created.map(jobDetail) : jobDetail(created[0]), 201);
  });

  app.post("/jobs/retry-all", allow("admin", { audit: "jobs.retry-all" }), async (c) => {
    const status = c.req.query("status") ?? "failed";
    if (status !== "failed" && status !== "cancelled") {
      throw new HttpError(
        400,
        "invalid_query",
        `status must be failed or cancelled, received ${JSON.stringify(status)}`,
        { field: "status" },
      );
    }
    auditTarget(c, `status=${status}`);
    return c.json(await queue.retryAll(status));
  });

  app.get("/jobs", allow("viewer"), async (c) => {
    const status = statusParam(c.req.query("status"));
    const type = c.req.query("type") || undefined;
    const limit = integerParam("limit", c.req.query("limit"), 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
    const cursor = integerParam("cursor", c.req.query("cursor"), 1, Number.MAX_SAFE_INTEGER);
    const idMatch = idMatchParam(c.req.query("match"));
    const jobs = await queue.list({ status, type, limit, beforeSeq: cursor, idMatch });
    if (jobs.length === limit) {
      const next = new URL(c.req.url);
      next.searchParams.set("cursor", String(jobs[jobs.length - 1].seq));
      next.searchParams.set("limit", String(limit));
      c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
    }
    return c.json(jobs.map(jobSummary));
  });

  app.get("/jobs/:id", allow("viewer"), async (c) => {
    const id = c.req.param("id");
    const job = await queue.get(id);
    if (job === undefined) throw new HttpError(404, "not_found", `No job with id ${id}`);
    return c.json(jobDetail(job));
  });

  app.delete("/jobs/:id", allow("admin", { audit: "jobs.delete" }), async (c) => {
    const job = await queue.delete(c.req.param("id"));
    return c.json({ deleted: job.id });
  });

  app.post("/jobs/:id/cancel", allow("producer", { audit: "jobs.cancel" }), async (c) => {
    const job = await queue.cancel(c.req.param("id"));
    return c.json(jobDetail(job));
  });

  app.post("/jobs/:id/retry", allow("admin", { audit: "jobs.retry" }), async (c) => {
    const job = await queue.retry(c.req.param("id"), waitSignal(c));
    return c.json(jobDetail(job), 201);
  });

  return app;
}

/** `?match=`: the start or end of a job id, as the dashboard shows it (4 or more characters). */
function idMatchParam(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^[0-9a-f-]{4,36}$/i.test(value)) {
    throw new HttpError(
      400,
      "invalid_query",
      `match must be 4 to 36 hex digits or dashes of a job id, received ${JSON.stringify(value)}`,
      { field: "match" },
    );
  }
  return value.toLowerCase();
}
