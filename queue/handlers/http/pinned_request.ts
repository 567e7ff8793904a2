/**
 * One HTTP(S) request to a checked {@linkcode Destination}: `node:http` writes it and parses the
 * answer over a {@linkcode PinnedSocket}, connected to the destination's checked addresses only
 * (the name is never resolved again), HTTPS checked against the URL's host name.
 * @module
 */

import http from "node:http";
import type { Duplex } from "node:stream";
import type { Destination } from "./destination.ts";
import { PinnedSocket } from "./pinned_socket.ts";

/** What to send. */
export interface PinnedRequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborting it destroys the request, and the response with it. */
  signal: AbortSignal;
  /** A certificate authority (PEM) to trust besides Deno's: for tests. */
  ca?: string;
  /** Names the request in errors. Default: its URL. */
  label?: string;
}

/** A response whose connection closes when disposed. */
export interface PinnedExchange extends Disposable {
  response: http.IncomingMessage;
}

/** An agent for one request: its connection is a {@linkcode PinnedSocket}, never pooled. */
class PinnedAgent extends http.Agent {
  readonly #socket: () => Duplex;

  constructor(socket: () => Duplex) {
    super({ keepAlive: false });
    this.#socket = socket;
  }

  // Deno's node:http takes a custom connection from an agent (not from `createConnection`).
  override createConnection(): Duplex {
    return this.#socket();
  }
}

/**
 * Sends the request and resolves with the response's head once it arrives; its body is left to
 * read. Dispose of the exchange (`using`) to close the connection, read or not. Rejects with the
 * signal's reason if it aborts first.
 *
 * @example
 * ```ts ignore
 * using exchange = await sendPinned(destination, { method: "GET", headers: {}, signal });
 * console.log(exchange.response.statusCode);
 * ```
 */
export function sendPinned(
  destination: Destination,
  options: PinnedRequestOptions,
): Promise<PinnedExchange> {
  const { url, host, port, addresses } = destination;
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  const label = options.label ?? url.href;
  // The Host header as the URL has it (no default port); the body's length, when there is one.
  const headers: Record<string, string> = { ...options.headers, host: url.host };
  if (options.body !== undefined) {
    headers["content-length"] = String(new TextEncoder().encode(options.body).length);
  }
  const https = url.protocol === "https:";
  const agent = new PinnedAgent(() =>
    new PinnedSocket({
      addresses,
      port,
      tlsHost: https ? host : undefined,
      caCerts: options.ca === undefined ? undefined : [options.ca],
      label,
    })
  );
  const { promise, resolve, reject } = Promise.withResolvers<PinnedExchange>();
  const request = http.request({
    method: options.method,
    path: `${url.pathname}${url.search}`,
    headers,
    setHost: false,
    agent,
  }, (response) => resolve({ response, [Symbol.dispose]: close }));
  const onAbort = () => request.destroy(signal.reason);
  function close(): void {
    signal.removeEventListener("abort", onAbort);
    request.destroy();
    agent.destroy();
  }
  signal.addEventListener("abort", onAbort, { once: true });
  request.on("error", (error) => {
    close();
    reject(signal.aborted ? signal.reason : error);
  });
  request.end(options.body);
  return promise;
}
