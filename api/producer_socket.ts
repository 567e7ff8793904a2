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
 *
 * With authentication on, a socket needs a producer (or admin) key: on the upgrade request
 * (checked by the route's rule), or as its first message (`producer_key_gate.ts`). A socket whose
 * key is revoked or expires (`auth/keyed_connections.ts`: at once when revoked through this
 * process, else within its recheck interval) has its requests in flight answered, is told why
 * (`ref: null`, 401) and is closed with 1008.
 * @module
 */

import { Buffer } from "node:buffer";
import { clearImmediate, setImmediate } from "node:timers";
import { defaultLogger, type Logger } from "../queue/primitives/logger.ts";
import { settlesWithin } from "../queue/primitives/settles_within.ts";
import type { Queue } from "../queue/queue.ts";
import { HttpError } from "./errors.ts";
import { AddressSlots } from "./limits/address_slots.ts";
import { jobDetail } from "./job_view.ts";
import { MAX_IN_FLIGHT } from "./producer_protocol.ts";
import {
  errorAnswer,
  parseProducerRequest,
  type ProducerRequest,
  type Ref,
  refOf,
  renamed,
} from "./producer_request.ts";
import {
  guardSession,
  type KeyGate,
  type ProducerAuth,
  type SocketAccess,
} from "./producer_key_gate.ts";

/** Milliseconds a peer gets at shutdown to answer the close of its socket. */
export const DEFAULT_CLOSE_GRACE = 2_000;

/** The close code for a message over the limit (RFC 6455: message too big). */
export const MESSAGE_TOO_BIG = 1009;

/** Seconds a client refused a socket is told to wait before it tries again. */
const RETRY_AFTER_SECONDS = 1;

/** One producer's connection: reads requests, enqueues, answers. */
class ProducerSession {
  #inFlight = 0;
  #settled: (() => void) | undefined;
  readonly #gone = new AbortController();
  /** Answers of this turn of the event loop, sent together at its end. */
  #outbox: string[] = [];
  #flushing: ReturnType<typeof setImmediate> | undefined;
  /** Until the first message proves a key, when the socket was opened without one. */
  gate: KeyGate | undefined;
  /** Why the socket's key no longer holds, once it does not: requests are refused. */
  #revoked: string | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly queue: Queue,
    readonly messageLimit: number,
    readonly logger: Logger,
  ) {
    socket.onmessage = (event) => {
      if (this.#overLimit(event.data)) return;
      if (this.gate?.take(event.data) !== true) this.receive(event.data);
    };
    socket.onclose = () => this.#gone.abort(new Error("The producer disconnected"));
    socket.onerror = () => {};
  }

  /** Answers `ref` with the error's status and shape (an unexpected one is logged). */
  #refuse(ref: Ref, error: unknown): void {
    this.#send(errorAnswer(ref, error, this.logger));
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

  /**
   * Closes the socket (1009) when a message is over the limit (in bytes, as the HTTP body's),
   * before anything reads it.
   */
  #overLimit(data: unknown): boolean {
    const size = typeof data === "string"
      // A UTF-16 code unit is at most 3 bytes of UTF-8: count the bytes only when that matters.
      ? (data.length * 3 <= this.messageLimit ? data.length : Buffer.byteLength(data, "utf8"))
      : data instanceof ArrayBuffer
      ? data.byteLength
      : data instanceof Blob
      ? data.size
      : 0;
    if (size <= this.messageLimit) return false;
    // Deno has buffered it whole already; closing stops a producer that keeps sending more.
    this.socket.close(
      MESSAGE_TOO_BIG,
      `A message is larger than ${this.messageLimit} bytes (--body-limit)`,
    );
    return true;
  }

  /** Reads one frame's requests and answers each. */
  receive(data: unknown): void {
    if (typeof data !== "string") {
      this.#refuse(
        null,
        new HttpError(415, "unsupported_media_type", "Send each request as a JSON text message"),
      );
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch (error) {
      this.#refuse(
        null,
        new HttpError(
          400,
          "bad_json",
          `The message is not valid JSON: ${(error as Error).message}`,
        ),
      );
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
      this.#refuse(refOf(message), error);
      return;
    }
    if (this.#revoked !== undefined) {
      this.#refuse(
        request.ref,
        new HttpError(401, "unauthorized", this.#revoked, { reason: "invalid" }),
      );
      return;
    }
    if (this.#inFlight >= MAX_IN_FLIGHT) {
      this.#refuse(
        request.ref,
        new HttpError(
          429,
          "too_many_in_flight",
          `At most ${MAX_IN_FLIGHT} requests may wait for their answers on one connection`,
          { limit: MAX_IN_FLIGHT },
        ),
      );
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
      this.#refuse(ref, renamed(error, batch));
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
   * The socket's key no longer holds (`reason` says why): new requests are refused, those in
   * flight answered, then the peer is told why and the socket closed with 1008.
   */
  async revoke(reason: string, graceMs: number): Promise<void> {
    if (this.#revoked !== undefined) return;
    this.#revoked = reason;
    this.logger.info(`Closing a producer socket: ${reason}`);
    this.#send(
      errorAnswer(
        null,
        new HttpError(401, "unauthorized", reason, { reason: "invalid" }),
        this.logger,
      ),
    );
    await this.close(graceMs, 1008, "unauthorized");
  }

  /**
   * Answers what is in flight, then closes with `code` (default 1001, going away) and gives the
   * peer `graceMs` to answer the close. Resolves `false` if it did not: the socket is given up
   * on (the HTTP server's shutdown drops the connection).
   */
  async close(
    graceMs: number,
    code = 1001,
    reason = "The service is shutting down",
  ): Promise<boolean> {
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
    if (readyState === WebSocket.OPEN) this.socket.close(code, reason);
    return await settlesWithin(closed, graceMs);
  }
}

/** Every open producer socket of one server. */
export class ProducerSockets {
  readonly #sessions = new Set<ProducerSession>();

  /** `slots`: the caps on open sockets, per client address and in all (default 8 and 32). */
  constructor(
    readonly queue: Queue,
    readonly messageLimit: number,
    readonly logger: Logger = defaultLogger(),
    readonly auth?: ProducerAuth,
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
   * Upgrades `request` and serves the socket; returns the 101 answer. `access.requestId` (the
   * upgrade request's) is on the socket's log lines. With authentication on, a socket without
   * a caller must send its key first. Throws an `HttpError` past the caps on open sockets: 429
   * past the client's (`access.client`), 503 past the one for all.
   */
  accept(request: Request, access: SocketAccess = { client: "in-process" }): Response {
    const address = access.client;
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
      // Deno refuses an upgrade without its headers (Sec-WebSocket-Key, Connection: Upgrade).
      if (!(error instanceof TypeError)) throw error;
      throw new HttpError(400, "bad_upgrade", `Not a WebSocket upgrade: ${error.message}`);
    }
    const { socket, response } = upgrade;
    const { requestId } = access;
    const logger = requestId === undefined ? this.logger : this.logger.child({ requestId });
    const session = new ProducerSession(socket, this.queue, this.messageLimit, logger);
    this.#sessions.add(session);
    socket.addEventListener("close", () => {
      this.#sessions.delete(session);
      this.slots.release(address);
    });
    if (this.auth?.auth.on) guardSession(socket, session, access, this.auth);
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
