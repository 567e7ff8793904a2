/**
 * Producer sockets: `GET /api/producer` upgraded to a WebSocket on which a producer keeps many
 * enqueues in flight on one connection, as a Redis client does with BullMQ. Each text message
 * is one request, `{ "ref": 1, "job": {…} }` or `{ "ref": 2, "jobs": [{…}, …] }`; each gets one
 * answer with the same `ref`, sent only once the jobs are stored (after the commit, on SQLite):
 * `{ "ref": 1, "job": {…} }`, `{ "ref": 2, "jobs": […] }` or
 * `{ "ref": 1, "status": 400, "error": { "code", "message", "details"? } }` — the HTTP API's
 * error shape and status, so a client handles both alike. A frame may also carry an array of
 * requests, and answers that are ready in the same turn of the event loop go out together as
 * one array: fewer frames, fewer system calls. Messages: `producer_protocol.ts`.
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";
import type { NewJob } from "../queue/job.ts";
import { settlesWithin } from "../queue/primitives/settles_within.ts";
import type { Queue } from "../queue/queue.ts";
import { HttpError, toHttpError } from "./errors.ts";
import { parseJobInput, parseJobsInput } from "./job_input.ts";
import { AddressSlots } from "./limits/address_slots.ts";
import { IN_PROCESS } from "./limits/client_address.ts";
import { jobDetail } from "./job_view.ts";
import { MAX_IN_FLIGHT, type ProducerErrorAnswer } from "./producer_protocol.ts";

/** The longest `ref` string a request may carry. */
const MAX_REF_LENGTH = 200;

/** Milliseconds a peer gets at shutdown to answer the close of its socket. */
export const DEFAULT_CLOSE_GRACE = 2_000;

/** The close code for a message over the limit (RFC 6455: message too big). */
export const MESSAGE_TOO_BIG = 1009;

/** Seconds a client refused a socket is told to wait before it tries again. */
const RETRY_AFTER_SECONDS = 1;

type Ref = string | number | null;

/** One parsed request: its reference and the jobs it asks for. */
interface ProducerRequest {
  ref: Ref;
  jobs: NewJob[];
  batch: boolean;
}

function invalid(message: string, field: string): HttpError {
  return new HttpError(400, "invalid_request", message, { field });
}

function refOf(message: unknown): Ref {
  if (typeof message !== "object" || message === null || !("ref" in message)) return null;
  const { ref } = message;
  if (typeof ref === "number" && Number.isFinite(ref)) return ref;
  if (typeof ref === "string" && ref.length <= MAX_REF_LENGTH) return ref;
  return null;
}

/** Checks a parsed message: a `ref` and exactly one of `job` and `jobs`, nothing else. */
export function parseProducerRequest(message: unknown): ProducerRequest {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    throw invalid('A message is an object: { "ref": 1, "job": { "type": … } }', "message");
  }
  const ref = refOf(message);
  if (ref === null) {
    throw invalid(
      `ref must be a number or a string of up to ${MAX_REF_LENGTH} characters`,
      "ref",
    );
  }
  const record = message as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "ref" && key !== "job" && key !== "jobs") {
      throw invalid(`Unknown field ${JSON.stringify(key)}: send ref and job or jobs`, key);
    }
  }
  if (("job" in record) === ("jobs" in record)) {
    throw invalid("Send exactly one of job (one job) and jobs (an array)", "job");
  }
  if ("job" in record) {
    if (Array.isArray(record.job)) throw invalid("job is one object; send arrays as jobs", "job");
    return { ref, jobs: [parseJobInput(record.job, "job.")], batch: false };
  }
  if (!Array.isArray(record.jobs)) throw invalid("jobs must be an array of jobs", "jobs");
  try {
    return { ref, jobs: parseJobsInput(record.jobs).jobs, batch: true };
  } catch (error) {
    throw renamed(error, true);
  }
}

/** Field names as the message spells them: `payload.ms` → `job.payload.ms`, `[2].type` → `jobs[2].type`. */
function renamed(error: unknown, batch: boolean): unknown {
  const http = toHttpError(error);
  const field = http.details?.field;
  if (typeof field !== "string" || field.startsWith("job")) return http;
  const name = batch ? `jobs${field.startsWith("[") ? "" : "."}${field}` : `job.${field}`;
  return new HttpError(
    http.status,
    http.code,
    http.message.replace(`${field}: `, `${name}: `),
    { ...http.details, field: name },
    http.headers,
  );
}

function errorAnswer(ref: Ref, error: unknown): string {
  const http = toHttpError(error);
  const answer: ProducerErrorAnswer = {
    ref,
    status: http.status,
    error: { code: http.code, message: http.message },
  };
  const retryAfter = http.headers["Retry-After"];
  const details = retryAfter === undefined
    ? http.details
    : { ...http.details, retryAfterSeconds: Number(retryAfter) };
  if (details !== undefined) answer.error.details = details;
  return JSON.stringify(answer);
}

/** One producer's connection: reads requests, enqueues, answers. */
class ProducerSession {
  #inFlight = 0;
  #settled: (() => void) | undefined;
  readonly #gone = new AbortController();
  /** Answers of this turn of the event loop, sent together at its end. */
  #outbox: string[] = [];
  #flushing: ReturnType<typeof setImmediate> | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly queue: Queue,
    readonly messageLimit: number,
  ) {
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = () => this.#gone.abort(new Error("The producer disconnected"));
    socket.onerror = () => {};
  }

  #send(text: string): void {
    this.#outbox.push(text);
    this.#flushing ??= setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushing = undefined;
    const answers = this.#outbox;
    this.#outbox = [];
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(answers.length === 1 ? answers[0] : `[${answers.join(",")}]`);
  }

  #receive(data: unknown): void {
    const size = typeof data === "string"
      ? data.length
      : data instanceof ArrayBuffer
      ? data.byteLength
      : data instanceof Blob
      ? data.size
      : 0;
    if (size > this.messageLimit) {
      // Deno has buffered it whole already; closing stops a producer that keeps sending more.
      this.socket.close(
        MESSAGE_TOO_BIG,
        `A message is larger than ${this.messageLimit} bytes (--body-limit)`,
      );
      return;
    }
    if (typeof data !== "string") {
      this.#send(errorAnswer(
        null,
        new HttpError(415, "unsupported_media_type", "Send each request as a JSON text message"),
      ));
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch (error) {
      this.#send(errorAnswer(
        null,
        new HttpError(
          400,
          "bad_json",
          `The message is not valid JSON: ${(error as Error).message}`,
        ),
      ));
      return;
    }
    if (Array.isArray(message) && message.length > 0) {
      // Several requests in one frame, each answered on its own.
      for (const item of message) this.#request(item);
    } else {
      this.#request(message);
    }
  }

  #request(message: unknown): void {
    let request: ProducerRequest;
    try {
      request = parseProducerRequest(message);
    } catch (error) {
      this.#send(errorAnswer(refOf(message), error));
      return;
    }
    if (this.#inFlight >= MAX_IN_FLIGHT) {
      this.#send(errorAnswer(
        request.ref,
        new HttpError(
          429,
          "too_many_in_flight",
          `At most ${MAX_IN_FLIGHT} requests may wait for their answers on one connection`,
          { limit: MAX_IN_FLIGHT },
        ),
      ));
      return;
    }
    this.#enqueue(request);
  }

  async #enqueue({ ref, jobs, batch }: ProducerRequest): Promise<void> {
    this.#inFlight++;
    try {
      const created = await this.queue.enqueue(jobs, { batch, signal: this.#gone.signal });
      this.#send(
        batch
          ? JSON.stringify({ ref, jobs: created.map(jobDetail) })
          : JSON.stringify({ ref, job: jobDetail(created[0]) }),
      );
    } catch (error) {
      this.#send(errorAnswer(ref, renamed(error, batch)));
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#settled?.();
    }
  }

  /** Requests read and not answered yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Answers what is in flight, then closes with 1001 (going away) and gives the peer
   * `graceMs` to answer the close. Resolves `false` if it did not: the socket is given up on
   * (the HTTP server's shutdown drops the connection).
   */
  async close(graceMs: number): Promise<boolean> {
    if (this.#inFlight > 0) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#settled = resolve;
      await promise;
    }
    if (this.#flushing !== undefined) {
      clearImmediate(this.#flushing);
      this.#flush();
    }
    const { readyState } = this.socket;
    if (readyState !== WebSocket.OPEN && readyState !== WebSocket.CLOSING) return true;
    const closed = new Promise((resolve) => this.socket.addEventListener("close", resolve));
    if (readyState === WebSocket.OPEN) this.socket.close(1001, "The service is shutting down");
    return await settlesWithin(closed, graceMs);
  }
}

/** Every open producer socket of one server. */
export class ProducerSockets {
  readonly #sessions = new Set<ProducerSession>();

  /**
   * `messageLimit`: the largest message in bytes (a larger one closes its socket with 1009);
   * `slots`: the caps on open sockets, per client address and in all (default 8 and 32).
   */
  constructor(
    readonly queue: Queue,
    readonly messageLimit: number,
    readonly slots: AddressSlots = new AddressSlots({ limit: 32, perClient: 8 }),
  ) {}

  /** Open producer connections. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Requests read on every socket and not answered yet. */
  get inFlight(): number {
    let total = 0;
    for (const session of this.#sessions) total += session.inFlight;
    return total;
  }

  /**
   * Upgrades `request` from `address` (the client's) and serves the socket; returns the 101
   * answer. Throws an `HttpError` past the caps: 429 past the client's, 503 past the one for all.
   */
  accept(request: Request, address: string = IN_PROCESS): Response {
    const refused = this.slots.take(address);
    if (refused !== null) {
      const client = refused === "client";
      const limit = client ? this.slots.perClient : this.slots.limit;
      throw new HttpError(
        client ? 429 : 503,
        client ? "too_many_sockets" : "server_busy",
        client
          ? `${limit} producer sockets from ${address} are open (--max-producer-sockets-per-client)`
          : `${limit} producer sockets are open (--max-producer-sockets)`,
        { limit, retryAfterSeconds: RETRY_AFTER_SECONDS },
        { "Retry-After": String(RETRY_AFTER_SECONDS) },
      );
    }
    let upgrade;
    try {
      upgrade = Deno.upgradeWebSocket(request);
    } catch (error) {
      this.slots.release(address);
      throw error;
    }
    const { socket, response } = upgrade;
    const session = new ProducerSession(socket, this.queue, this.messageLimit);
    this.#sessions.add(session);
    socket.addEventListener("close", () => {
      this.#sessions.delete(session);
      this.slots.release(address);
    });
    return response;
  }

  /**
   * At shutdown (the queue already closed): answers what is in flight and closes every socket,
   * giving each peer `graceMs` (default 2,000) to answer the close. Resolves with how many did
   * not; those are forgotten here, and the HTTP server's shutdown drops their connections.
   */
  async close(graceMs: number = DEFAULT_CLOSE_GRACE): Promise<number> {
    const sessions = [...this.#sessions];
    const answered = await Promise.all(sessions.map((session) => session.close(graceMs)));
    for (const session of sessions) this.#sessions.delete(session);
    return answered.filter((ok) => !ok).length;
  }
}
