/**
 * GoQueue's routes, kept working: `POST /api/enqueue` and `POST /api/clear`.
 * (`GET /api/jobs`, `GET`/`DELETE /api/jobs/:id` and retry live in `jobs.ts`.)
 * @module
 */

import { Hono } from "hono";
import { JOB_STATUSES, type JobStatus } from "../../queue/lifecycle.ts";
import { allow, auditTarget } from "../auth/route_rule.ts";
import { readJson, waitSignal } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../errors.ts";
import { parseJobInput } from "../job_input.ts";
import { jobDetail } from "../job_view.ts";

/** Reads `?status=` and checks it names a state. */
export function statusParam(value: string | undefined): JobStatus | undefined {
  if (value === undefined || value === "") return undefined;
  if (!(JOB_STATUSES as readonly string[]).includes(value)) {
    throw new HttpError(
      400,
      "invalid_query",
      `status must be one of ${JOB_STATUSES.join(", ")}, received ${JSON.stringify(value)}`,
      { field: "status" },
    );
  }
  return value as JobStatus;
}

export function goQueueRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.post("/enqueue", allow("producer"), async (c) => {
    const input = parseJobInput(await readJson(c, deps.bodies));
    const [job] = await deps.queue.enqueue([input], waitSignal(c));
    return c.json(jobDetail(job), 201);
  });
  app.post("/clear", allow("admin", { audit: "clear" }), async (c) => {
    const status = statusParam(c.req.query("status"));
    if (status !== undefined) auditTarget(c, `status=${status}`);
    const removed = await deps.queue.clear(status);
    return c.json({ removed });
  });
  return app;
}
