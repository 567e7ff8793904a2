/**
 * Support for the edge guard tests: a server configured for port 8080 that never listens (its
 * guards take the configured port until it does), and requests sent in-process as a browser or
 * another host would send them, with their own `Host`, `Origin` and `Sec-Fetch-Site`.
 * @module
 */

import type { DenoQueueServer, ServerOptions } from "../../api/server.ts";
import { type Answer, type ApiClient, withServer } from "./api_server.ts";

/** The port the guard tests' servers are configured with; they never bind it. */
export const PORT = 8080;

/** The server's own address, as its loopback Host. */
export const OWN_HOST = `127.0.0.1:${PORT}`;

/** The server's own origin. */
export const OWN_ORIGIN = `http://${OWN_HOST}`;

/** A request as it reaches the server. */
export interface Probe {
  method?: string;
  path: string;
  /** The `Host` header, and the URL's host. Default {@linkcode OWN_HOST}. */
  host?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Sends `probe` in-process and reads the answer: JSON, text, `undefined` when empty, and not
 * an event stream (it would never end).
 */
export async function send(server: DenoQueueServer, probe: Probe): Promise<Answer<unknown>> {
  const host = probe.host ?? OWN_HOST;
  const response = await server.app.request(`http://${host}${probe.path}`, {
    method: probe.method ?? "GET",
    headers: { host, ...probe.headers },
    body: probe.body,
  });
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    // An event stream does not end: a test that gets one reads no further.
    await response.body?.cancel();
    return { status: response.status, headers: response.headers, body: "(event stream)" };
  }
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json");
  return {
    status: response.status,
    headers: response.headers,
    body: text === "" ? undefined : json ? JSON.parse(text) : text,
  };
}

/** Runs `test` against a server configured for {@linkcode PORT}, with `options` on top. */
export function withEdgeServer(
  options: ServerOptions,
  test: (api: ApiClient, server: DenoQueueServer) => Promise<void>,
): Promise<void> {
  // These servers never bind: a public `host` only names them, so no key is needed to try one.
  return withServer({ port: PORT, insecureNoAuth: true, ...options }, test);
}
