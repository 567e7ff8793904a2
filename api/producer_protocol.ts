/**
 * The producer WebSocket's messages, shared by the server (`producer_socket.ts`) and the client
 * (`client/producer.ts`). Types and one constant only: the client imports nothing else.
 * @module
 */

import type { JobOptions } from "../queue/job.ts";
import type { jobDetail } from "./job_view.ts";

/** Requests one socket may have waiting for their answers; past it they are refused (429). */
export const MAX_IN_FLIGHT = 1000;

/** A job as the API answers it. */
export type JobView = ReturnType<typeof jobDetail>;

/** A job to enqueue, as `POST /api/jobs` takes it. */
export interface JobInput {
  type: string;
  payload?: unknown;
  options?: JobOptions;
}

/** What the producer sends: a reference of its choice and one job or a batch. */
export type ProducerRequestMessage =
  | { ref: string | number; job: JobInput }
  | { ref: string | number; jobs: JobInput[] };

/**
 * The first message on a socket opened without a key (browsers cannot set an `Authorization`
 * header on a WebSocket): the key, before any request. Answered with an {@linkcode AuthAnswer},
 * or an error answer (`ref: null`, status 401, 403 or 429) and the socket closed (1008).
 */
export interface AuthMessage {
  kind: "auth";
  key: string;
}

/** The answer to an accepted {@linkcode AuthMessage}: who the socket acts as. */
export interface AuthAnswer {
  kind: "auth";
  key: { id: string; name: string; role: string; expiresAt?: string };
}

/** The answer to a request that failed: the HTTP API's status and error body. */
export interface ProducerErrorAnswer {
  /** `null` when the request could not be read far enough to find its `ref`. */
  ref: string | number | null;
  status: number;
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * What the server answers, once per request, after the jobs are stored; an error with `ref`
 * `null` and code `unauthorized` also comes when the socket's key is revoked or expires, just
 * before the socket closes (1008).
 */
export type ProducerAnswer =
  | { ref: string | number; job: JobView }
  | { ref: string | number; jobs: JobView[] }
  | ProducerErrorAnswer;
