/**
 * The worker's side of `ctx.enqueue`: requests gathered and sent to the pool in one message per
 * turn, and each handler's promise settled when the pool answers. A handler needs no network
 * permission for it: the job travels over the worker's own channel.
 * @module
 */

import { EnqueueError } from "../errors.ts";
import type { EnqueuedJob } from "../handlers/define.ts";
import type { JobOptions } from "../job.ts";
import type { EnqueueAnswer, EnqueueRequest, FromWorker } from "./protocol.ts";

/**
 * @example
 * ```ts ignore
 * const channel = new EnqueueChannel((message) => self.postMessage(message));
 * const { id } = await channel.enqueue("job-1", "email", { to: "ada@example.com" });
 * ```
 */
export class EnqueueChannel {
  #post: (message: FromWorker) => void;
  #nextId = 1;
  #waiting = new Map<number, PromiseWithResolvers<EnqueuedJob>>();
  #unsent: EnqueueRequest[] = [];

  constructor(post: (message: FromWorker) => void) {
    this.#post = post;
  }

  /** Asks the pool to enqueue a job for the handler of `jobId`. */
  enqueue(
    jobId: string,
    type: string,
    payload: unknown,
    options?: JobOptions,
  ): Promise<EnqueuedJob> {
    const requestId = this.#nextId++;
    const waiting = Promise.withResolvers<EnqueuedJob>();
    this.#waiting.set(requestId, waiting);
    if (this.#unsent.length === 0) queueMicrotask(() => this.flush());
    this.#unsent.push({ requestId, jobId, type, payload, options });
    return waiting.promise;
  }

  /** Sends the requests gathered so far; one that cannot be cloned is refused alone. */
  flush(): void {
    const requests = this.#unsent;
    if (requests.length === 0) return;
    this.#unsent = [];
    try {
      this.#post({ kind: "enqueue", requests });
    } catch {
      for (const request of requests) {
        try {
          this.#post({ kind: "enqueue", requests: [request] });
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          this.answer([{
            requestId: request.requestId,
            ok: false,
            code: "invalid_payload",
            message: `The job cannot be sent to the queue: ${reason}`,
            field: "payload",
          }]);
        }
      }
    }
  }

  /** Settles the handlers' promises with the pool's answers. */
  answer(answers: EnqueueAnswer[]): void {
    for (const answer of answers) {
      const waiting = this.#waiting.get(answer.requestId);
      if (waiting === undefined) continue;
      this.#waiting.delete(answer.requestId);
      if (answer.ok) waiting.resolve({ id: answer.id, status: answer.status });
      else {
        waiting.reject(
          new EnqueueError(answer.message, answer.code, answer.field, answer.retryAfterSeconds),
        );
      }
    }
  }
}
