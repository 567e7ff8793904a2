/**
 * The shapes the DenoQueue REST API and live feed answer with, as the dashboard reads them:
 * taken from the server's own modules (types only, plus the lifecycle's status list), so the
 * two cannot drift apart.
 * @module
 */

import type { jobDetail, jobSummary } from "../../api/job_view.ts";
import type {
  FeedEvent as ServerFeedEvent,
  StatsDelta as ServerStatsDelta,
} from "../../api/live_feed.ts";
import type { NodeView as ServerNodeView } from "../../api/routes/nodes.ts";
import type { BackoffPolicy } from "../../queue/backoff.ts";
import type { TypeDescription as ServerTypeDescription } from "../../queue/handlers/registry.ts";
import type { JobOptions } from "../../queue/job.ts";
import type { JobStatus } from "../../queue/lifecycle.ts";
import type { PoolStats } from "../../queue/pool/pool.ts";
import type { QueueStats } from "../../queue/observe/queue_stats.ts";

export { FINAL_STATUSES, JOB_STATUSES } from "../../queue/lifecycle.ts";
export type { JobStatus };
export type { TypeMetric } from "../../queue/observe/type_metrics.ts";

/** Exponential backoff: `base` ms × `factor` per retry, at most `cap` ms. */
export type Backoff = BackoffPolicy;

/** A job as `GET /api/jobs` lists it. */
export type JobSummary = ReturnType<typeof jobSummary>;

/** A job as `GET /api/jobs/:id` shows it. */
export type JobDetail = ReturnType<typeof jobDetail>;

/** One run of a job's handler. */
export type Attempt = JobDetail["attempts"][number];

/** How an attempt ended; `interrupted` means its worker or process died. */
export type AttemptOutcome = NonNullable<Attempt["outcome"]>;

/** A line the handler wrote with `ctx.log()`. */
export type JobLog = JobDetail["logs"][number];

/** A count for every status. */
export type StatusCounts = Record<JobStatus, number>;

/** `GET /api/stats`, and the live feed's `stats` event. */
export type Stats = QueueStats & { workers: PoolStats };

/** The live feed's `stats-delta` event: what changed since the stats message `base`. */
export type StatsDelta = ServerStatsDelta;

/** One node of `GET /api/nodes`: a server sharing the store, its heartbeat and its workers. */
export type NodeView = ServerNodeView;

/** One entry of `GET /api/types`. */
export type TypeDescription = ServerTypeDescription;

/** One job transition from the live feed's `jobs` event. `at` is epoch ms. */
export type FeedEvent = ServerFeedEvent;

/** What happened to a job, as the live feed names it. */
export type FeedEventName = FeedEvent["event"];

/** The live feed's `summary` event: a burst too large to send event by event. */
export interface FeedSummary {
  counts: Partial<Record<FeedEventName, number>>;
  total: number;
  sample: FeedEvent[];
}

/** Per-job options a producer may set at enqueue. */
export type JobOptionsInput = JobOptions;
