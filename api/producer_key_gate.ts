/**
 * The key check of a producer socket opened without one: its first message must be
 * `{ "kind": "auth", "key": "dq_…" }` (browsers cannot set headers on a WebSocket), sent within
 * `timeout` ms. Messages that arrive while the key is checked wait and are then delivered in
 * order. A refusal is answered in the API's error shape (`ref: null`) and closes the socket with
 * 1008 (policy violation).
 * @module
 */

import type { Role } from "../queue/keys/api_key.ts";
import { type Authenticator, type Caller, forbidden, roleAllows } from "./auth/authenticator.ts";
import type { KeyedConnections } from "./auth/keyed_connections.ts";
import { HttpError, toHttpError } from "./errors.ts";
import type { AuthAnswer, ProducerErrorAnswer } from "./producer_protocol.ts";

/** Milliseconds a socket opened without a key has to send it. */
export const DEFAULT_KEY_TIMEOUT = 10_000;

/** What {@linkcode KeyGate} needs. */
export interface KeyGateOptions {
  auth: Authenticator;
  /** The role the socket needs. */
  role: Role;
  /** The client's address, for the failed-attempts limit. */
  client: string;
  /** Fields for the warning a failure logs (the upgrade's request id). */
  fields?: Record<string, unknown>;
  /** Default {@linkcode DEFAULT_KEY_TIMEOUT}. */
  timeout?: number;
  /** Called once the key is accepted, with who the socket acts as and the key presented. */
  opened(caller: Caller, secret: string): void;
  /** Delivers a message that waited for the key. */
  deliver(data: unknown): void;
}

/** Closes a socket for a refused key, after telling the peer why in the API's error shape. */
export function refuseSocket(socket: WebSocket, error: unknown): void {
  const http = toHttpError(error);
  if (socket.readyState !== WebSocket.OPEN) return;
  const answer: ProducerErrorAnswer = {
    ref: null,
    status: http.status,
    error: { code: http.code, message: http.message },
  };
  if (http.details !== undefined) answer.error.details = http.details;
  socket.send(JSON.stringify(answer));
  socket.close(1008, http.code);
}

/** The gate in front of one socket's requests until its first message proves a key. */
export class KeyGate {
  #state: "waiting" | "checking" | "open" | "shut" = "waiting";
  #backlog: unknown[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly socket: WebSocket, readonly options: KeyGateOptions) {
    this.#timer = setTimeout(() => {
      this.#shut(
        new HttpError(
          401,
          "unauthorized",
          'No key came: send { "kind": "auth", "key": "dq_…" } first, or an Authorization header',
          { reason: "missing" },
        ),
      );
    }, options.timeout ?? DEFAULT_KEY_TIMEOUT);
    socket.addEventListener("close", () => clearTimeout(this.#timer));
  }

  /** Whether `data` was taken by the gate (the key, or a message that must wait for it). */
  take(data: unknown): boolean {
    switch (this.#state) {
      case "open":
        return false;
      case "shut":
        return true;
      case "checking":
        this.#backlog.push(data);
        return true;
      case "waiting":
        this.#state = "checking";
        clearTimeout(this.#timer);
        this.#check(data);
        return true;
    }
  }

  async #check(data: unknown): Promise<void> {
    try {
      const secret = keyOf(data);
      const { auth, client, fields } = this.options;
      const caller = await auth.identify(
        { kind: "secret", secret, from: "message" },
        client,
        fields,
      );
      if (!roleAllows(caller.role, this.options.role)) throw forbidden(caller, this.options.role);
      if (this.socket.readyState !== WebSocket.OPEN) return;
      this.#state = "open";
      const answer: AuthAnswer = { kind: "auth", key: caller };
      this.socket.send(JSON.stringify(answer));
      this.options.opened(caller, secret);
      for (const waiting of this.#backlog.splice(0)) this.options.deliver(waiting);
    } catch (error) {
      this.#shut(error);
    }
  }

  #shut(error: unknown): void {
    this.#state = "shut";
    this.#backlog = [];
    refuseSocket(this.socket, error);
  }
}

/** The key of an auth message, or 401 for any other first message. */
function keyOf(data: unknown): string {
  let message: unknown;
  try {
    message = typeof data === "string" ? JSON.parse(data) : undefined;
  } catch { /* answered below */ }
  const { kind, key } = (typeof message === "object" && message !== null ? message : {}) as {
    kind?: unknown;
    key?: unknown;
  };
  if (kind !== "auth" || typeof key !== "string" || key === "") {
    throw new HttpError(
      401,
      "unauthorized",
      'An API key is needed: send { "kind": "auth", "key": "dq_…" } as the first message',
      { reason: "missing" },
    );
  }
  return key;
}

/** Who opened a socket: a caller whose key came on the upgrade, or none yet (see `KeyGate`). */
export interface SocketAccess {
  /** The caller, when the upgrade carried a key (or authentication is off). */
  caller?: Caller;
  /** The key it presented, to check it again while the socket lives. */
  secret?: string;
  /** The client's address, for the failed-attempts limit of a key sent as a message. */
  client: string;
  requestId?: string;
}

/** Authentication for {@linkcode ProducerSockets}; without it every socket is let in. */
export interface ProducerAuth {
  auth: Authenticator;
  connections: KeyedConnections;
  /** Grace for the peer of a socket whose key was revoked to answer the close, in ms. */
  closeGrace?: number;
  /** How long a socket opened without a key has to send it, in ms. Default 10,000. */
  keyTimeout?: number;
}

/** What {@linkcode guardSession} needs of a producer session. */
export interface GuardedSession {
  gate: KeyGate | undefined;
  /** Reads one frame's requests. */
  receive(data: unknown): void;
  /** Refuses new requests, answers those in flight, tells the peer `reason`, closes (1008). */
  revoke(reason: string, graceMs: number): Promise<void>;
}

/**
 * Puts authentication on a new socket: a caller from the upgrade is watched for revocation at
 * once; a socket without one gets a {@linkcode KeyGate} and is watched once its key is proved.
 */
export function guardSession(
  socket: WebSocket,
  session: GuardedSession,
  access: SocketAccess,
  auth: ProducerAuth,
): void {
  const watch = (caller: Caller, secret: string) => {
    const forget = auth.connections.add(
      caller.id,
      secret,
      (reason) => session.revoke(reason, auth.closeGrace ?? 2_000),
    );
    socket.addEventListener("close", forget);
  };
  if (access.caller !== undefined && access.secret !== undefined) {
    watch(access.caller, access.secret);
    return;
  }
  const { requestId } = access;
  session.gate = new KeyGate(socket, {
    auth: auth.auth,
    role: "producer",
    client: access.client,
    fields: requestId === undefined ? {} : { requestId },
    timeout: auth.keyTimeout,
    opened: watch,
    deliver: (data) => session.receive(data),
  });
}
