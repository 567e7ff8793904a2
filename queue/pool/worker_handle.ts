/**
 * The parent side of one Web Worker: starts it, hands it jobs, tracks what it runs, and turns
 * its messages and its end into calls on the pool. Its end is noticed however it comes: the
 * lifeline lock (any end; it is handed nothing from then on, and told ended once its last
 * messages had `LAST_WORDS_MS` to arrive), an `error` event (an uncaught error, a module that
 * fails to load), or the worker's last word (handler code calling `close()` or `Deno.exit()`).
 * @module
 */

import type { Job } from "../job.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { Lifeline } from "./lifeline.ts";
import type {
  AbortReason,
  EnqueueRequest,
  FromWorker,
  ToWorker,
  WorkerSettings,
} from "./protocol.ts";

/** Milliseconds the pool waits, once a worker's thread ended, for the messages it sent last. */
const LAST_WORDS_MS = 20;

/** A job a worker holds: running, or waiting in the worker for a place (not started yet). */
export interface RunningJob {
  job: Job;
  /** When its signal aborts for timing out (epoch ms): its timeout after it started. */
  deadline: number;
  /** When the worker is killed if the job still has not returned. */
  killAt?: number;
  timedOut: boolean;
  cancelled: boolean;
  /** Its signal aborted for shutdown: a failure then means it stopped, not that it failed. */
  stopping?: boolean;
}

/** What the handle reports to the pool. */
export interface WorkerCallbacks {
  onBatch(handle: WorkerHandle, message: Extract<FromWorker, { kind: "batch" }>): void;
  /** Handlers in the worker called `ctx.enqueue`; answer with `post({ kind: "enqueued" })`. */
  onEnqueue(handle: WorkerHandle, requests: EnqueueRequest[]): void;
  /**
   * A worker that had loaded its handlers ended on its own (an uncaught error, `close()`,
   * `Deno.exit()`); it is already terminated. One that ends before that fails `ready()` instead.
   */
  onCrash(handle: WorkerHandle, reason: string): void;
}

/** How a worker of one sandbox starts: its entry, its permissions, and its settings. */
export interface WorkerInit extends Omit<WorkerSettings, "lifeline"> {
  /** The entry that loads its handler modules (`sandboxEntry`). */
  entry: URL;
  /** Exactly what its handlers declared (`workerPermissions`). */
  permissions: Deno.PermissionOptionsObject;
}

/** One worker, as the pool sees it. */
export class WorkerHandle {
  /** The jobs it runs: started, as it said. */
  readonly running = new Map<string, RunningJob>();
  /** The jobs it holds and has not started yet (none beyond `concurrency` unless claimed ahead). */
  readonly queued = new Map<string, RunningJob>();
  #worker: Worker;
  #lifeline: Lifeline;
  #dead = false;
  /** Its thread ended (its lifeline says so): it is handed nothing while its last words come. */
  #ended = false;
  #loaded = false;
  #ready = Promise.withResolvers<void>();
  #lastWords: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    readonly init: WorkerInit,
    callbacks: WorkerCallbacks,
    logger: Logger = defaultLogger(),
  ) {
    this.#lifeline = new Lifeline(
      // Its last messages may still be on their way (the starts and outcomes it sent, then an
      // `ending` that says why): heard first, they count, and the end is told with its reason.
      () => {
        this.#ended = true;
        this.#lastWords = setTimeout(() => {
          this.#die(callbacks, "the worker ended without saying why");
        }, LAST_WORDS_MS);
      },
      (error) => logger.error("A worker's lifeline failed", { worker: id, error }),
    );
    this.#worker = new Worker(init.entry, {
      type: "module",
      name: id,
      deno: { permissions: init.permissions },
    });
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) => {
      try {
        this.#receive(event.data, callbacks);
      } catch (error) {
        // Only the runtime speaks, but a worker is no place to trust: one that sends what
        // the pool cannot read is ended as a crash, never the server.
        this.#die(callbacks, `it sent a message the pool cannot read (${error})`);
      }
    };
    this.#worker.onerror = (event) => {
      // Handled here: without preventDefault an error in a worker ends the whole process.
      event.preventDefault();
      // The first line: a module that failed to load goes on with where (the whole entry).
      this.#die(callbacks, `uncaught error in worker: ${String(event.message).split("\n")[0]}`);
    };
    this.#worker.onmessageerror = () => {
      this.#die(callbacks, "a message from the worker could not be read");
    };
    this.#ready.promise.catch(() => {}); // Observed by ready(); a crash later is not a start error.
    this.post({
      kind: "init",
      types: init.types,
      concurrency: init.concurrency,
      demoSpeed: init.demoSpeed,
      resultLimit: init.resultLimit,
      httpAllow: init.httpAllow,
      lifeline: this.#lifeline.name,
    });
  }

  /** Resolves once the worker has loaded its handlers. */
  ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Terminated, or its thread ended (a job handed to it now would never run). */
  get dead(): boolean {
    return this.#dead || this.#ended;
  }

  /** Alive and done loading its handlers: it may be handed jobs. */
  get available(): boolean {
    return this.#loaded && !this.dead;
  }

  post(message: ToWorker): void {
    if (!this.#dead) this.#worker.postMessage(message);
  }

  /** Jobs it holds, running or not started yet. */
  get held(): number {
    return this.running.size + this.queued.size;
  }

  /**
   * Hands jobs to the worker in one message. Those its free places take (as the pool knows
   * them) start at once, their time counting from `now`; the rest wait in the worker, which
   * starts them as places free up, before `startBefore` (see `protocol.ts`), and says when.
   * Returns the jobs that could not be sent (a payload the structured clone refuses; those are
   * not held), and those started.
   */
  run(jobs: Job[], startBefore: number, now: number): { unsent: Job[]; started: RunningJob[] } {
    const toWorker = (job: Job) => ({
      id: job.id,
      type: job.type,
      payload: job.payload,
      attempt: job.attempts.length,
    });
    const startNow = Math.max(0, Math.min(jobs.length, this.init.concurrency - this.held));
    const unsent: Job[] = [];
    try {
      this.post({ kind: "run", jobs: jobs.map(toWorker), startNow, startBefore });
    } catch {
      // One bad payload must not hold up the others: send them one by one.
      for (const [i, job] of jobs.entries()) {
        try {
          this.post({
            kind: "run",
            jobs: [toWorker(job)],
            startNow: i < startNow ? 1 : 0,
            startBefore,
          });
        } catch {
          unsent.push(job);
        }
      }
    }
    const started: RunningJob[] = [];
    for (const [i, job] of jobs.entries()) {
      if (unsent.includes(job)) continue;
      if (i < startNow) {
        const entry = {
          job: startingNow(job, now),
          deadline: now + job.timeout,
          timedOut: false,
          cancelled: false,
        };
        this.running.set(job.id, entry);
        started.push(entry);
      } else {
        this.queued.set(job.id, { job, deadline: Infinity, timedOut: false, cancelled: false });
      }
    }
    return { unsent, started };
  }

  /**
   * The worker started the job `jobId` at `at`: it runs from then on, its attempt started then
   * and its timeout counting. Returns it, unless the pool no longer holds it there.
   */
  started(jobId: string, at: number): RunningJob | undefined {
    const entry = this.queued.get(jobId);
    if (entry === undefined) return undefined;
    this.queued.delete(jobId);
    entry.job = startingNow(entry.job, at);
    entry.deadline = at + entry.job.timeout;
    this.running.set(jobId, entry);
    return entry;
  }

  abort(jobId: string, reason: AbortReason): void {
    this.post({ kind: "abort", jobId, reason });
  }

  terminate(): void {
    if (this.#dead) return;
    this.#dead = true;
    clearTimeout(this.#lastWords);
    this.#lifeline.cut();
    this.#worker.terminate();
  }

  #receive(message: FromWorker, callbacks: WorkerCallbacks): void {
    switch (message.kind) {
      case "lifeline":
        this.#lifeline.watch();
        break;
      case "batch":
        callbacks.onBatch(this, message);
        break;
      case "enqueue":
        callbacks.onEnqueue(this, message.requests);
        break;
      case "ready":
        this.#loaded = true;
        this.#ready.resolve();
        break;
      case "init-failed":
        this.#ready.reject(
          new Error(`Worker ${this.id} could not load its handlers: ${message.error}`),
        );
        this.terminate();
        break;
      case "ending":
        this.#die(callbacks, message.reason);
        break;
      default:
        throw new TypeError(`unknown kind ${JSON.stringify((message as { kind: unknown }).kind)}`);
    }
  }

  /** The worker ended on its own: before it loaded its handlers, `ready()` fails; after, a crash. */
  #die(callbacks: WorkerCallbacks, reason: string): void {
    if (this.#dead) return;
    this.terminate();
    if (this.#loaded) callbacks.onCrash(this, reason);
    else this.#ready.reject(new Error(`Worker ${this.id} ended while starting: ${reason}`));
  }
}

/**
 * `job` with its open attempt started at `now`, when it was claimed earlier (it waited ahead, in
 * the pool or in its worker): the attempt's time is its handler's, not its wait's. A new object;
 * `job` is left as it was.
 */
function startingNow(job: Job, now: number): Job {
  const open = job.attempts.at(-1);
  if (open === undefined || open.endedAt !== undefined || open.startedAt >= now) return job;
  return { ...job, attempts: [...job.attempts.slice(0, -1), { ...open, startedAt: now }] };
}
