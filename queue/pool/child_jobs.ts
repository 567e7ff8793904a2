/**
 * The pool's side of `ctx.enqueue`: each request goes through the queue's own `enqueue` (the
 * API's validation, capacity and backpressure), and the answer, the new job or why it was
 * refused, goes back to the worker that asked. An attempt no longer current (cancelled, timed
 * out) may still enqueue while its worker lives, as any producer may.
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

  constructor(queue: Queue) {
    this.#queue = queue;
  }

  /**
   * Enqueues each request on its own (all or nothing per request) and answers `handle`. The
   * options are checked by the queue, as the API's are.
   */
  enqueue(handle: WorkerHandle, requests: EnqueueRequest[]): void {
    for (const request of requests) {
      const { requestId, type, payload, options } = request;
      this.#queue.enqueue([{ type, payload, options: options as JobOptions }], { batch: false })
        .then(
          ([job]) => this.#answer(handle, { requestId, ok: true, id: job.id, status: job.status }),
          (error) => this.#answer(handle, { requestId, ok: false, ...refusal(error) }),
        );
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
