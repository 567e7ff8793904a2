/**
 * A catalog worker, main thread's side: a worker with no permissions at all loads a handler
 * module, describes its job types and checks their payloads at enqueue, so no handler code
 * (its module's top level, its schema's refinements) runs on the main thread. One that dies or
 * hangs is replaced at the next check. `module_catalogs.ts` starts one per module.
 * @module
 */

import { ValidationError } from "../errors.ts";
import type { PayloadCheck, PayloadResult } from "../handlers/job_types.ts";
import { HandlerLoadError } from "../handlers/module_loader.ts";
import { NO_PERMISSIONS, workerPermissions } from "../handlers/permissions.ts";
import type { ModuleTypeSpec, RemoteChecker } from "../handlers/type_catalog.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import type { CheckAnswer, FromWorker, ToWorker } from "./protocol.ts";
import { defaultRuntimeUrl, sandboxEntry } from "./sandbox_entry.ts";

/** Options for {@linkcode CatalogWorker}. */
export interface CatalogOptions {
  /** Handler modules (absolute URLs). */
  modules: string[];
  /** The worker runtime. Default: `worker.ts` (or `.js` bundled) in this folder. */
  runtime?: URL;
  /** Milliseconds a check may take before the worker is replaced. Default 2,000. */
  checkTimeout?: number;
  logger?: Logger;
}

interface Pending {
  items: PayloadCheck[];
  resolve: (results: PayloadResult[]) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * @example
 * ```ts ignore
 * const catalog = new CatalogWorker({ modules: [handlersUrl] });
 * const specs = await catalog.describe();
 * await catalog.check([{ type: "welcome", payload: {}, prefix: "" }]);
 * catalog.close();
 * ```
 */
export class CatalogWorker implements RemoteChecker {
  #options: CatalogOptions;
  #entry: URL;
  #worker: Worker | undefined;
  #described: Promise<ModuleTypeSpec[]> | undefined;
  /** Fails the load in progress, if any, when the worker ends before describing. */
  #loadFailed: ((error: Error) => void) | undefined;
  #pending = new Map<number, Pending>();
  /** Requests of this turn, each as JSON, sent together at its end. */
  #unsent: string[] = [];
  #nextRequest = 1;
  #closed = false;
  #logger: Logger;

  constructor(options: CatalogOptions) {
    this.#options = options;
    this.#entry = sandboxEntry(options.runtime ?? defaultRuntimeUrl(), options.modules);
    this.#logger = options.logger ?? defaultLogger();
  }

  /**
   * Loads the modules in the worker, if not loaded, and resolves with the types they define as
   * the worker describes them (unchecked: handler code can bend it). Rejects with a
   * `HandlerLoadError` naming the module when one cannot be used.
   */
  describe(): Promise<ModuleTypeSpec[]> {
    return this.#spawn();
  }

  /** Checks payloads of the modules' types; one result per item, in order. */
  async check(items: PayloadCheck[]): Promise<PayloadResult[]> {
    if (this.#closed) return items.map((item) => refused(item, "the service is stopping"));
    if (this.#worker === undefined) {
      try {
        await this.#spawn();
      } catch (error) {
        return items.map((item) => refused(item, `its handler module ${messageOf(error)}`));
      }
    }
    let itemsJson: string;
    try {
      itemsJson = JSON.stringify(items);
    } catch (error) {
      // A payload JSON cannot hold (a BigInt from ctx.enqueue): refused before any check.
      return items.map((item) => refused(item, `it is no JSON: ${messageOf(error)}`));
    }
    const requestId = this.#nextRequest++;
    const { promise, resolve } = Promise.withResolvers<PayloadResult[]>();
    const timeout = this.#options.checkTimeout ?? 2_000;
    const timer = setTimeout(
      () => this.#end(`a payload check did not finish within ${timeout} ms`),
      timeout,
    );
    this.#pending.set(requestId, { items, resolve, timer });
    // The checks of one turn (concurrent enqueues) go to the worker in one message.
    this.#unsent.push(`{"requestId":${requestId},"items":${itemsJson}}`);
    if (this.#unsent.length === 1) queueMicrotask(() => this.#flush());
    return promise;
  }

  /** Ends the worker; checks still waiting are refused. */
  close(): void {
    this.#closed = true;
    this.#end("the service is stopping");
  }

  #spawn(): Promise<ModuleTypeSpec[]> {
    if (this.#described !== undefined) return this.#described;
    const worker = new Worker(this.#entry, {
      type: "module",
      name: "catalog",
      deno: { permissions: workerPermissions(NO_PERMISSIONS) },
    });
    this.#worker = worker;
    const described = Promise.withResolvers<ModuleTypeSpec[]>();
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      try {
        const message = event.data;
        if (message.kind === "described") described.resolve(message.types);
        else if (message.kind === "init-failed") {
          described.reject(new HandlerLoadError(message.error));
          this.#end(message.error);
        } else if (message.kind === "checked") {
          if (typeof message.answers !== "string") throw new TypeError("answers that are no JSON");
          const all: { requestId: number; answers: CheckAnswer[] }[] = JSON.parse(message.answers);
          for (const { requestId, answers } of all) this.#answer(requestId, answers);
        } else if (message.kind === "ending") this.#end(message.reason);
      } catch (error) {
        // Handler code shares the catalog's realm and can bend what it sends: an answer the
        // server cannot read ends that worker (its checks are refused), never the server.
        this.#end(`the catalog worker sent an answer the server cannot read: ${messageOf(error)}`);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault(); // Else an error in a worker ends the whole process.
      described.reject(new HandlerLoadError(`Cannot load the handler modules: ${event.message}`));
      this.#end(`uncaught error in the catalog worker: ${event.message}`);
    };
    this.#described = described.promise;
    this.#loadFailed = described.reject;
    described.promise.then(() => this.#loadFailed = undefined, () => {});
    this.#post({ kind: "describe" });
    return described.promise;
  }

  #flush(): void {
    const requests = this.#unsent;
    this.#unsent = [];
    this.#post({ kind: "check", requests: `[${requests.join(",")}]` });
  }

  #post(message: ToWorker): void {
    this.#worker?.postMessage(message);
  }

  #answer(requestId: number, answers: CheckAnswer[]): void {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return;
    if (!Array.isArray(answers) || answers.length !== pending.items.length) {
      throw new TypeError(`${pending.items.length} answer(s) expected`);
    }
    const results = answers.map((answer): PayloadResult => {
      if (answer.ok === true) return { ok: true, payload: answer.payload };
      if (answer.ok !== false) throw new TypeError("an answer is neither ok nor refused");
      const { message, field, details, code } = answer;
      return { ok: false, error: new ValidationError(message, field, details, code) };
    });
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    pending.resolve(results);
  }

  /** Ends the worker (dead, hung or stopping); the checks it held are refused with `reason`. */
  #end(reason: string): void {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#described = undefined;
    const loading = this.#loadFailed !== undefined;
    this.#loadFailed?.(new HandlerLoadError(`Cannot load the handler modules: ${reason}`));
    this.#loadFailed = undefined;
    worker?.terminate();
    // A worker that ends while loading fails the load, which says why: logged only after.
    if (worker !== undefined && !this.#closed && !loading) {
      this.#logger.error(
        `The catalog worker ended (${reason}); a new one starts at the next check`,
      );
    }
    for (const [requestId, pending] of this.#pending) {
      this.#pending.delete(requestId);
      clearTimeout(pending.timer);
      pending.resolve(pending.items.map((item) => refused(item, reason)));
    }
  }
}

/** A payload whose check could not finish, refused with why. */
function refused(item: PayloadCheck, reason: string): PayloadResult {
  const field = `${item.prefix}payload`;
  return {
    ok: false,
    error: new ValidationError(
      `Invalid payload for ${item.type}: ${field}: its check did not finish (${reason})`,
      field,
      undefined,
      "invalid_payload",
    ),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
