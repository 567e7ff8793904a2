/**
 * The worker runtime. A worker's entry (see `sandbox_entry.ts`) imports it, then calls
 * `serve` with the handler modules it may load. As a job worker it holds its lifeline, runs
 * the jobs it is handed (up to the pool's concurrency at once; those beyond wait in its own
 * queue, and the next starts as soon as one ends, without a round trip to the pool), and sends
 * the starts, outcomes, progress and logs back in batches; as the catalog worker it describes
 * the types and checks payloads.
 * @module
 */

/// <reference lib="deno.worker" />

import { UnrecoverableError } from "../errors.ts";
import { demoSettings } from "../handlers/demo.ts";
import { HttpAllowList } from "../handlers/http/allow_list.ts";
import { httpSettings } from "../handlers/http/settings.ts";
import type { ModuleSource } from "../handlers/module_loader.ts";
import { HandlerRegistry } from "../handlers/registry.ts";
import { MAX_LOG_LINE_LENGTH, trimStack } from "../job.ts";
import { answerChecks, answersJson, describeModuleTypes } from "./catalog_role.ts";
import { EnqueueChannel } from "./enqueue_channel.ts";
import { hookExits } from "./exit_hooks.ts";
import { holdLifeline } from "./lifeline.ts";
import { hideArguments, hideLocks, hideSharedChannels, keepPostMessage } from "./runtime_guard.ts";
import type {
  AbortReason,
  CheckRequest,
  FromWorker,
  JobOutcome,
  JobStart,
  ToWorker,
  WorkerJob,
} from "./protocol.ts";
import { DEFAULT_RESULT_LIMIT, resultProblem } from "./result_limit.ts";

const sources = Promise.withResolvers<ModuleSource[]>();
let registry: HandlerRegistry | undefined;
let serves = new Set<string>();
/** The catalog worker's handlers, once `describe` has loaded them. */
let catalog: Promise<HandlerRegistry> | undefined;
let resultLimit = DEFAULT_RESULT_LIMIT;
/** The jobs started and not ended yet: at most `concurrency`. */
const controllers = new Map<string, AbortController>();
let concurrency = 1;
/** Jobs handed over and not started yet, oldest first. */
const waiting: WorkerJob[] = [];
/** Held jobs start only before this (epoch ms): see `startBefore` in `protocol.ts`. */
let startBefore = Infinity;
let started: JobStart[] = [];
let unstarted: string[] = [];
let outcomes: JobOutcome[] = [];
let progress: { jobId: string; value: number }[] = [];
let logs: { jobId: string; message: string }[] = [];
let flushScheduled = false;

// Kept before any handler module loads: handler code cannot post to the pool itself, nor read
// the server's command line, nor reach other threads past its permissions.
const postToPool = keepPostMessage();
hideArguments();
hideSharedChannels();

function post(message: FromWorker): void {
  postToPool(message);
}

const children = new EnqueueChannel(post);

// Before any handler module loads: a handler that ends this worker on purpose sends what is
// finished and says why first (the pool notices the end through the lifeline in any case).
const endWorker = self.close.bind(self);
hookExits((reason) => {
  flush();
  children.flush();
  post({ kind: "ending", reason });
});

// An uncaught error or unhandled rejection in handler code ends this worker as a crash. Said
// here, the pool hears why with the outcomes finished so far, and Deno does not print it again
// on the server's stderr (the pool logs it once, with the replacement).
self.addEventListener("error", (event) => {
  event.preventDefault();
  crash(`uncaught error in worker: ${event.message}`);
});
self.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  crash(`uncaught error in worker: Uncaught (in promise) ${String(event.reason)}`);
});

function crash(reason: string): void {
  flush();
  children.flush();
  post({ kind: "ending", reason });
  endWorker();
}

/** A batch of nothing, to send parts of one alone. */
const none = {
  kind: "batch",
  started: [],
  unstarted: [],
  outcomes: [],
  progress: [],
  logs: [],
} as const satisfies FromWorker;

function flush(): void {
  flushScheduled = false;
  if (
    outcomes.length === 0 && progress.length === 0 && logs.length === 0 &&
    started.length === 0 && unstarted.length === 0
  ) return;
  const message: FromWorker = { kind: "batch", started, unstarted, outcomes, progress, logs };
  started = [];
  unstarted = [];
  outcomes = [];
  progress = [];
  logs = [];
  try {
    post(message);
  } catch {
    // Some result could not be cloned; send the starts first (the pool takes no outcome of a
    // job it does not know started), then the outcomes one by one, failing those that can't.
    post({ ...none, started: message.started, unstarted: message.unstarted });
    for (const outcome of message.outcomes) {
      try {
        post({ ...none, outcomes: [outcome] });
      } catch (error) {
        post({
          ...none,
          outcomes: [{
            jobId: outcome.jobId,
            ok: false,
            error: `The handler's result cannot be sent: ${messageOf(error)}`,
            unrecoverable: true,
          }],
        });
      }
    }
    post({ ...none, progress: message.progress, logs: message.logs });
  }
}

/**
 * Starts the jobs waiting, oldest first, while places are free and the node stands. Each start
 * is sent before its handler runs (the flush is queued first), so that the pool times it from
 * there even if the handler never yields.
 */
function startWaiting(): void {
  while (controllers.size < concurrency && waiting.length > 0) {
    const at = Date.now();
    if (at >= startBefore) return;
    const job = waiting.shift()!;
    const controller = new AbortController();
    controllers.set(job.id, controller);
    started.push({ jobId: job.id, at });
    scheduleFlush();
    queueMicrotask(() => run(job, controller));
  }
}

/** Gives back the held jobs not started yet (`ids`, else all of them); says whether any was. */
function giveBack(ids?: string[]): boolean {
  const back = ids === undefined ? waiting : waiting.filter((job) => ids.includes(job.id));
  if (back.length === 0) return false;
  for (const job of back) unstarted.push(job.id);
  waiting.splice(0, waiting.length, ...waiting.filter((job) => !back.includes(job)));
  scheduleFlush();
  return true;
}

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  queueMicrotask(flush);
}

/**
 * What a failed attempt records: the error's message, and for a permission the sandbox
 * refused, that it was `NotCapable` and which permission the type would declare.
 */
function failureOf(error: unknown, type: string): string {
  const message = messageOf(error);
  // A refusal Deno words for the command line (an import's comes as a TypeError).
  const refused = /^(.*), run again with the --allow-(\w+) flag$/.exec(message);
  const capable = error instanceof Error && error.name === "NotCapable";
  if (refused === null) return capable ? `NotCapable: ${message}` : message;
  return `${capable ? "NotCapable: " : ""}${refused[1]} (the job type ${type} does not ` +
    `declare it in permissions.${refused[2]})`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function run(job: WorkerJob, controller: AbortController): Promise<void> {
  let outcome: JobOutcome;
  try {
    const handler = serves.has(job.type) ? registry!.get(job.type) : undefined;
    if (handler === undefined) {
      throw new UnrecoverableError(`This worker runs no handler for type ${job.type}`);
    }
    const result = await handler.run(job.payload, {
      signal: controller.signal,
      attempt: job.attempt,
      jobId: job.id,
      progress: (value) => {
        progress.push({ jobId: job.id, value: Number(value) });
        scheduleFlush();
      },
      log: (message) => {
        // Cut here, not only where it is kept, so a huge line is never copied to the pool.
        logs.push({ jobId: job.id, message: String(message).slice(0, MAX_LOG_LINE_LENGTH) });
        scheduleFlush();
      },
      enqueue: (type, payload, options) => children.enqueue(job.id, type, payload, options),
    });
    const problem = resultProblem(result, resultLimit);
    outcome = problem === undefined
      ? { jobId: job.id, ok: true, result: result === undefined ? null : result }
      : { jobId: job.id, ok: false, error: problem, unrecoverable: true };
  } catch (error) {
    outcome = {
      jobId: job.id,
      ok: false,
      error: failureOf(error, job.type),
      stack: error instanceof Error ? trimStack(error.stack) : undefined,
      unrecoverable: error instanceof UnrecoverableError ||
        (error instanceof Error && error.name === "UnrecoverableError"),
    };
  }
  controllers.delete(job.id);
  outcomes.push(outcome);
  scheduleFlush();
  startWaiting();
}

/** Aborts a running job's signal; one not started yet is given back instead, and never runs. */
function abort(jobId: string, reason: AbortReason): void {
  if (giveBack([jobId])) return;
  const text = reason === "timeout"
    ? "The job timed out"
    : reason === "cancelled"
    ? "The job was cancelled"
    : "The service is shutting down";
  controllers.get(jobId)?.abort(new DOMException(text, "AbortError"));
}

/**
 * Called by the worker's entry with the handler modules this worker may load: imports that
 * name them literally, so Deno loads them as the entry's own code, without read permission.
 */
export function serve(modules: ModuleSource[]): void {
  sources.resolve(modules);
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.kind) {
    case "init":
      try {
        await holdLifeline(message.lifeline);
        hideLocks();
        post({ kind: "lifeline" });
        resultLimit = message.resultLimit;
        concurrency = message.concurrency;
        demoSettings.speed = message.demoSpeed;
        httpSettings.resultLimit = message.resultLimit;
        httpSettings.allow = HttpAllowList.parse(message.httpAllow);
        registry = await HandlerRegistry.load(await sources.promise);
        serves = new Set(message.types.filter((type) => registry!.get(type) !== undefined));
        post({ kind: "ready", types: [...serves].sort() });
      } catch (error) {
        post({ kind: "init-failed", error: messageOf(error) });
      }
      break;
    case "describe":
      try {
        hideLocks();
        catalog = sources.promise.then((modules) => HandlerRegistry.load(modules));
        post({ kind: "described", types: describeModuleTypes(await catalog) });
      } catch (error) {
        post({ kind: "init-failed", error: messageOf(error) });
      }
      break;
    case "check": {
      // Sent right after "describe" by a catalog that replaces a dead one: wait for the load.
      const loaded = await catalog!;
      const requests: CheckRequest[] = JSON.parse(message.requests);
      const items = new Map(requests.map(({ requestId, items }) => [requestId, items]));
      const answers = requests.map(({ requestId, items }) => ({
        requestId,
        answers: answerChecks(loaded, items),
      }));
      post({ kind: "checked", answers: answersJson(answers, items) });
      break;
    }
    case "run":
      // Places are free for the first ones: they start now, as the pool counts them already.
      for (const job of message.jobs.slice(0, message.startNow)) {
        const controller = new AbortController();
        controllers.set(job.id, controller);
        run(job, controller);
      }
      waiting.push(...message.jobs.slice(message.startNow));
      startBefore = message.startBefore;
      startWaiting();
      break;
    case "abort":
      abort(message.jobId, message.reason);
      break;
    case "recall":
      giveBack();
      break;
    case "standing":
      startBefore = message.startBefore;
      startWaiting();
      break;
    case "enqueued":
      children.answer(message.answers);
      break;
  }
};
