/**
 * Waiting for jobs to become final (completed, failed or cancelled), for `?wait=` requests:
 * one listener on the event stream, however many wait, attached only while someone does. In a
 * cluster, a job that ends on another node wakes its waiters too (they read it from the store).
 * @module
 */

import type { EventBatchListener } from "../cluster/event_fanout.ts";
import type { EventDigest } from "./event_digest.ts";
import type { JobEvents } from "../events.ts";
import type { Job } from "../job.ts";
import { isUnfinished } from "../lifecycle.ts";

const FINAL_EVENTS = new Set(["completed", "failed", "cancelled"]);

/** How long to wait, and a signal that ends the wait early. */
export interface FinalWaitOptions {
  /** Milliseconds to wait at most. */
  timeout: number;
  /** Ends the wait at once when it aborts (e.g. the client of a `?wait=` request left). */
  signal?: AbortSignal;
}

/**
 * @example
 * ```ts ignore
 * const waiters = new FinalWaiters(events, (id) => queue.get(id));
 * const job = await waiters.wait(id, { timeout: 30_000 });
 * ```
 */
export class FinalWaiters {
  #events: JobEvents;
  #get: (id: string) => Promise<Job | undefined>;
  /** Woken with the job (here), another node's event (there), or nothing (the wait ended). */
  #waiters = new Map<string, ((found: Job | EventDigest | undefined) => void)[]>();
  #unwatch: (() => void) | undefined;

  /** Waits in progress, over every job: each holds a timer until it ends. */
  get size(): number {
    let size = 0;
    for (const waiters of this.#waiters.values()) size += waiters.length;
    return size;
  }

  #remote: ((listener: EventBatchListener) => () => void) | undefined;
  #unwatchRemote: (() => void) | undefined;

  /**
   * `get` reads a job as callers should see it; `remote` hears the events of other nodes
   * sharing the store (absent: there are none).
   */
  constructor(
    events: JobEvents,
    get: (id: string) => Promise<Job | undefined>,
    remote?: (listener: EventBatchListener) => () => void,
  ) {
    this.#events = events;
    this.#get = get;
    this.#remote = remote;
  }

  /**
   * Resolves with the job once it is final, or with its current state when `timeout` ms pass,
   * the signal aborts or `close()` is called first. `undefined` if unknown.
   */
  async wait(id: string, options: FinalWaitOptions): Promise<Job | undefined> {
    const { promise, resolve } = Promise.withResolvers<Job | EventDigest | undefined>();
    const waiters = this.#waiters.get(id) ?? [];
    waiters.push(resolve);
    this.#waiters.set(id, waiters);
    this.#unwatch ??= this.#events.on((event) => {
      if (event.type !== "completed" && event.type !== "failed" && event.type !== "cancelled") {
        return;
      }
      const found = this.#waiters.get(event.job.id);
      if (found === undefined) return;
      this.#waiters.delete(event.job.id);
      for (const wake of found) wake(event.job);
    });
    this.#unwatchRemote ??= this.#remote?.(({ events }) => {
      for (const event of events) {
        if (!FINAL_EVENTS.has(event.event)) continue;
        const found = this.#waiters.get(event.id);
        if (found === undefined) continue;
        this.#waiters.delete(event.id);
        // Woken with the event: the waiter reads the job, as the other node stored it.
        for (const wake of found) wake(event);
      }
    });
    const stop = () => resolve(undefined);
    const timer = setTimeout(stop, options.timeout);
    options.signal?.addEventListener("abort", stop, { once: true });
    if (options.signal?.aborted) stop();
    // It may have finished before the waiter was registered.
    const current = await this.#get(id);
    if (current === undefined || !isUnfinished(current.status)) resolve(current);
    const found = await promise;
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", stop);
    const left = (this.#waiters.get(id) ?? []).filter((wake) => wake !== resolve);
    if (left.length > 0) this.#waiters.set(id, left);
    else this.#waiters.delete(id);
    if (this.#waiters.size === 0) {
      this.#unwatch?.();
      this.#unwatch = undefined;
      this.#unwatchRemote?.();
      this.#unwatchRemote = undefined;
    }
    if (found !== undefined && "seq" in found) return found;
    const stored = await this.#get(id);
    if (stored !== undefined || found === undefined || current === undefined) return stored;
    // The other node removed the job as it ended (completed jobs not kept): the job as last
    // read, ended as its event says (its result was not sent, and is gone with the row).
    const { leaseOwner: _owner, leaseExpiresAt: _expires, leaseToken: _token, ...ended } = current;
    return {
      ...ended,
      status: found.status ?? current.status,
      finishedAt: Date.parse(found.at),
      ...(found.error === undefined ? {} : { error: found.error }),
    };
  }

  /** Ends every wait now; each resolves with its job's current state. */
  close(): void {
    for (const waiters of this.#waiters.values()) {
      for (const wake of waiters) wake(undefined);
    }
  }
}
