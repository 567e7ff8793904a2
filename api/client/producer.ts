/**
 * A producer client for DenoQueue: one WebSocket to `GET /api/producer`, many enqueues in
 * flight on it, each promise settled by the server's answer once the job is stored. Runs
 * wherever `WebSocket` is global: Deno, Node.js 22+, browsers (same origin).
 *
 * ```ts ignore
 * import { Producer } from "./api/client/producer.ts";
 * const producer = await Producer.connect("http://127.0.0.1:8080", { key: "dq_…" });
 * const job = await producer.add("email", { to: "ann@example.com" }, { maxAttempts: 5 });
 * const jobs = await producer.addBulk([{ type: "noop" }, { type: "sleep", payload: { ms: 10 } }]);
 * await producer.close();
 * ```
 * @module
 */

import type { JobOptions } from "../../queue/job.ts";
import { NoDelayWebSocket } from "./no_delay_socket.ts";
import {
  type AuthAnswer,
  type AuthMessage,
  type JobInput,
  type JobView,
  MAX_IN_FLIGHT,
  type ProducerAnswer,
  type ProducerErrorAnswer,
  type ProducerRequestMessage,
} from "../producer_protocol.ts";

export type { JobInput, JobView };

/** A refused request (`status` and `code` as the HTTP API would answer), or a lost connection (`status` 0). */
export class ProducerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ProducerError";
  }
}

/** What `Producer` needs of a WebSocket: the standard one, or another with its shape. */
export interface ProducerSocket extends EventTarget {
  readonly readyState: number;
  readonly url: string;
  send(data: string): void;
  close(code?: number): void;
}

/** Options for `Producer.connect`. */
export interface ProducerOptions {
  /**
   * The WebSocket class to connect with. Default: in Deno, `NoDelayWebSocket` (Deno's own
   * client stalls 40 ms on requests over 1 KB); elsewhere the global `WebSocket`.
   */
  WebSocket?: new (url: string | URL) => ProducerSocket;
  /**
   * The API key (producer or admin) to send as the first message, when the server has
   * authentication on. `connect` resolves once the server accepts it, and rejects with its
   * refusal (401, 403, 429) otherwise.
   */
  key?: string;
}

const OPEN = 1;

interface Pending {
  resolve(answer: JobView | JobView[]): void;
  reject(error: ProducerError): void;
}

/** Where to connect: an `http(s)://host:port` base becomes `ws(s)://host:port/api/producer`. */
function socketUrl(url: string | URL): URL {
  const target = new URL(url);
  if (target.protocol === "http:") target.protocol = "ws:";
  if (target.protocol === "https:") target.protocol = "wss:";
  if (target.pathname === "/" || target.pathname === "") target.pathname = "/api/producer";
  return target;
}

/** One connection to DenoQueue for enqueuing. */
export class Producer {
  readonly #socket: ProducerSocket;
  readonly #pending = new Map<number, Pending>();
  /** Sends waiting for room under `MAX_IN_FLIGHT`, oldest first. */
  readonly #waiting: (() => void)[] = [];
  /** `close()` calls waiting for the last answer. */
  readonly #idle: (() => void)[] = [];
  readonly #closed: Promise<void>;
  #nextRef = 1;
  /** Requests of this turn of the event loop, sent as one frame at its end. */
  #outbox: string[] = [];
  /** A macrotask without timer clamping: its message arrives after this turn's microtasks. */
  readonly #tick = new MessageChannel();
  #closeReason = "";
  /** The sign-in in progress: settled by the server's answer to the key. */
  #signIn: PromiseWithResolvers<void> | undefined;
  /** The last refusal that named no request (a key refused or revoked), for the close's error. */
  #refusal: ProducerErrorAnswer | undefined;

  private constructor(socket: ProducerSocket) {
    this.#socket = socket;
    this.#closed = new Promise((resolve) => {
      socket.addEventListener("close", (closed) => {
        const event = closed as CloseEvent;
        this.#closeReason = `code ${event.code}${event.reason ? `: ${event.reason}` : ""}` +
          (this.#refusal === undefined ? "" : `; ${this.#refusal.error.message}`);
        this.#signIn?.reject(this.#refusalError());
        this.#failAll();
        this.#tick.port1.close();
        resolve();
      });
    });
    socket.addEventListener("message", (event) => this.#receive((event as MessageEvent).data));
    this.#tick.port1.onmessage = () => this.#flush();
  }

  /** Opens the socket; `url` is the server's base URL or the socket's own. */
  static connect(url: string | URL, options: ProducerOptions = {}): Promise<Producer> {
    const Socket = options.WebSocket ??
      ("Deno" in globalThis && typeof Deno.connect === "function" ? NoDelayWebSocket : WebSocket);
    const socket = new Socket(socketUrl(url));
    const opened = new Promise<Producer>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(new Producer(socket)), { once: true });
      socket.addEventListener("error", (event) => {
        const cause = (event as ErrorEvent).error;
        const why = cause instanceof Error ? `: ${cause.message.split("\r\n")[0]}` : "";
        reject(
          new ProducerError(0, "connection_failed", `Could not connect to ${socket.url}${why}`),
        );
      }, { once: true });
    });
    const key = options.key;
    if (key === undefined) return opened;
    return opened.then(async (producer) => {
      await producer.#signInWith(key);
      return producer;
    });
  }

  /** Sends `key` first and waits for the server to accept it. */
  async #signInWith(key: string): Promise<void> {
    this.#signIn = Promise.withResolvers<void>();
    const message: AuthMessage = { kind: "auth", key };
    this.#socket.send(JSON.stringify(message));
    try {
      await this.#signIn.promise;
    } finally {
      this.#signIn = undefined;
    }
  }

  #refusalError(): ProducerError {
    const refusal = this.#refusal;
    if (refusal === undefined) {
      return new ProducerError(
        0,
        "connection_closed",
        `The connection closed (${this.#closeReason})`,
      );
    }
    const { code, message, details } = refusal.error;
    return new ProducerError(refusal.status, code, message, details);
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Enqueues one job; resolves with it as stored, rejects with a `ProducerError`. */
  add(type: string, payload?: unknown, options?: JobOptions): Promise<JobView> {
    const job: JobInput = { type, payload };
    if (options !== undefined) job.options = options;
    return this.#request((ref) => ({ ref, job })) as Promise<JobView>;
  }

  /** Enqueues up to 1,000 jobs, all or nothing. */
  addBulk(jobs: JobInput[]): Promise<JobView[]> {
    return this.#request((ref) => ({ ref, jobs })) as Promise<JobView[]>;
  }

  /** Waits for every answer still due, then closes the socket. */
  async close(): Promise<void> {
    while (this.#pending.size > 0 || this.#waiting.length > 0) {
      await new Promise<void>((resolve) => this.#idle.push(resolve));
    }
    if (this.#socket.readyState === OPEN) this.#socket.close(1000);
    await this.#closed;
  }

  async #request(
    message: (ref: number) => ProducerRequestMessage,
  ): Promise<JobView | JobView[]> {
    while (this.#pending.size >= MAX_IN_FLIGHT) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#socket.readyState !== OPEN) {
      throw new ProducerError(0, "connection_closed", "The producer's connection is closed");
    }
    const ref = this.#nextRef++;
    const { promise, resolve, reject } = Promise.withResolvers<JobView | JobView[]>();
    this.#pending.set(ref, { resolve, reject });
    this.#outbox.push(JSON.stringify(message(ref)));
    if (this.#outbox.length === 1) this.#tick.port2.postMessage(null);
    return await promise;
  }

  #flush(): void {
    const requests = this.#outbox;
    this.#outbox = [];
    if (requests.length === 0 || this.#socket.readyState !== OPEN) return;
    this.#socket.send(requests.length === 1 ? requests[0] : `[${requests.join(",")}]`);
  }

  #receive(data: unknown): void {
    const parsed = JSON.parse(String(data)) as
      | ProducerAnswer
      | AuthAnswer
      | (ProducerAnswer | AuthAnswer)[];
    if (Array.isArray(parsed)) { for (const answer of parsed) this.#answer(answer); }
    else this.#answer(parsed);
  }

  #answer(answer: ProducerAnswer | AuthAnswer): void {
    if ("kind" in answer) {
      this.#signIn?.resolve();
      return;
    }
    if (answer.ref === null && "error" in answer && [401, 403, 429].includes(answer.status)) {
      // The key was refused, or revoked: the socket closes next.
      this.#refusal = answer;
      this.#signIn?.reject(this.#refusalError());
      return;
    }
    const pending = typeof answer.ref === "number" ? this.#pending.get(answer.ref) : undefined;
    if (pending === undefined) return;
    this.#pending.delete(answer.ref as number);
    this.#waiting.shift()?.();
    if (this.#pending.size === 0 && this.#waiting.length === 0) {
      for (const wake of this.#idle.splice(0)) wake();
    }
    if ("error" in answer) {
      const { code, message, details } = answer.error;
      pending.reject(new ProducerError(answer.status, code, message, details));
    } else {
      pending.resolve("job" in answer ? answer.job : answer.jobs);
    }
  }

  #failAll(): void {
    const error = new ProducerError(
      0,
      "connection_closed",
      `The connection closed (${this.#closeReason}) before the answer came: ` +
        "the job may or may not be stored",
    );
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const wake of this.#waiting.splice(0)) wake();
    for (const wake of this.#idle.splice(0)) wake();
  }
}
