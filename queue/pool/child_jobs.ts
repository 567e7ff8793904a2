/**
 * The pool's side of `ctx.enqueue`: each request goes through the queue's own `enqueue` (the
 * API's validation, capacity and backpressure), and the answer, the new job or why it was
 * refused, goes back to the worker that asked. An attempt no longer current (cancelled, timed
 * out) may still enqueue while its worker lives, as any producer may. A worker is held to what
 * the API holds a producer to: a payload within the body limit, and a bounded number of
 * requests waiting at once.
 * @module
 */

import { QueueFullError, ShuttingDownError, ValidationError } from "../errors.ts";
import type { JobOptions } from "../job.ts";
import type { Queue } from "../queue.ts";
import type { EnqueueAnswer, EnqueueRequest } from "./protocol.ts";
import type { WorkerHandle } from "./worker_handle.ts";

/**
 * @example
 * ```ts ignore
 * const children = new ChildJobs(queue);
 * children.enqueue(handle, message.requests);
 * ```
 */
export class ChildJobs {
  #queue: Queue;
  #answers = new Map<WorkerHandle, EnqueueAnswer[]>();
  #waiting = new Map<WorkerHandle, number>();
  #limits: ChildLimits;

  constructor(queue: Queue, limits: Partial<ChildLimits> = {}) {
    this.#queue = queue;
    this.#limits = { ...DEFAULT_CHILD_LIMITS, ...limits };
  }

  /**
   * Enqueues each request on its own (all or nothing per request) and answers `handle`. The
   * options are checked by the queue, as the API's are.
   */
  enqueue(handle: WorkerHandle, requests: EnqueueRequest[]): void {
    const { payloadBytes, waiting: most } = this.#limits;
    for (const request of requests) {
      const { requestId, type, payload, options } = request;
      const waiting = this.#waiting.get(handle) ?? 0;
      if (waiting >= most) {
        this.#answer(handle, {
          requestId,
          ok: false,
          code: "too_many_requests",
          message: `${most} ctx.enqueue calls of this worker are waiting already: await them`,
        });
        continue;
      }
      const bytes = payloadSize(payload);
      if (bytes > payloadBytes) {
        this.#answer(handle, {
          requestId,
          ok: false,
          code: "payload_too_large",
          message: `The payload is ${bytes} bytes of JSON, over the limit of ${payloadBytes}`,
          field: "payload",
        });
        continue;
      }
      this.#waiting.set(handle, waiting + 1);
      this.#queue.enqueue([{ type, payload, options: options as JobOptions }], { batch: false })
        .then(
          ([job]) => ({ requestId, ok: true as const, id: job.id, status: job.status }),
          (error) => ({ requestId, ok: false as const, ...refusal(error) }),
        ).then((answer) => {
          const left = (this.#waiting.get(handle) ?? 1) - 1;
          if (left === 0) this.#waiting.delete(handle);
          else this.#waiting.set(handle, left);
          this.#answer(handle, answer);
        });
    }
  }

  /** Answers gathered in one turn go to the worker in one message. */
  #answer(handle: WorkerHandle, answer: EnqueueAnswer): void {
    const waiting = this.#answers.get(handle);
    if (waiting !== undefined) {
      waiting.push(answer);
      return;
    }
    this.#answers.set(handle, [answer]);
    queueMicrotask(() => {
      const answers = this.#answers.get(handle) ?? [];
      this.#answers.delete(handle);
      handle.post({ kind: "enqueued", answers }); // A dead worker's answers are dropped.
    });
  }
}

/** What one worker may ask of `ctx.enqueue`. */
export interface ChildLimits {
  /** Largest payload, in bytes of JSON (the API's `--body-limit`). */
  payloadBytes: number;
  /** Requests of one worker waiting for their answer at once. */
  waiting: number;
}

/** 1 MB payloads, 1,000 requests waiting per worker. */
export const DEFAULT_CHILD_LIMITS: ChildLimits = { payloadBytes: 1024 * 1024, waiting: 1000 };

/** Bytes of `payload` as JSON (what the store keeps); a payload JSON cannot hold counts 0. */
function payloadSize(payload: unknown): number {
  try {
    return new TextEncoder().encode(JSON.stringify(payload) ?? "").length;
  } catch {
    return 0; // The queue refuses it with its own reason.
  }
}

/** The error, as the worker rebuilds it into an `EnqueueError`. */
function refusal(error: unknown): Omit<Extract<EnqueueAnswer, { ok: false }>, "requestId" | "ok"> {
  if (error instanceof ValidationError) {
    return { code: error.code, message: error.message, field: error.field };
  }
  if (error instanceof QueueFullError) {
    return {
      code: "queue_full",
      message: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof ShuttingDownError) return { code: "shutting_down", message: error.message };
  const reason = error instanceof Error ? error.message : String(error);
  return { code: "enqueue_failed", message: `The job could not be enqueued: ${reason}` };
}
