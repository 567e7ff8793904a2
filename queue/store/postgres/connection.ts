/**
 * Connecting to PostgreSQL with postgres.js: the client's settings (numbers for `bigint`, the
 * schema on the search path, the commit mode), the URL as it may be shown (without its
 * password), and what a failure to connect or to run means for the person starting the service
 * or for a caller (storage unavailable).
 * @module
 */

import net from "node:net";
import postgres from "postgres";
import { StoreUnavailableError } from "../errors.ts";

/** The types the client reads and writes beyond the built-in ones. */
type Types = { bigint: number };

/** The client: a pool of connections that reconnects by itself. */
export type Sql = postgres.Sql<Types>;

/** A transaction (or a savepoint in one). */
export type Tx = postgres.TransactionSql<Types>;

/** What runs queries: the client or a transaction. */
export type Queries = postgres.ISql<Types>;

/** How to connect. */
export interface ConnectOptions {
  /** The schema holding DenoQueue's tables (created if missing). */
  schema: string;
  /** `on`: a commit is on disk before it is acknowledged; `off`: faster, see the README. */
  synchronousCommit: "on" | "off";
  /** Connections in the pool. Default 10. */
  max?: number;
  /** Keep connections open however long they are idle (a session lock's connection). */
  keepOpen?: boolean;
  /** Called whenever a connection closes (lost, or ended). */
  onclose?: () => void;
}

/** Seconds a connection attempt may take before it counts as unreachable. */
const CONNECT_TIMEOUT_S = 10;

/**
 * Seconds before a lost connection tries again, after `retries` failures in a row (counted over
 * the whole pool): 50 ms doubling, at most a second, with jitter. postgres.js's own backoff
 * grows to 20 s, and a call waits for the next attempt before it fails: during an outage a
 * request took seconds to answer 503, and after one the pool came back up to 20 s late.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.75 + Math.random() / 4);
}

/** Where postgres.js connects, as it passes its parsed options to `socket`. */
interface SocketTarget {
  host: string[];
  port: number[];
  path?: string | false;
}

/**
 * Opens a connection's socket for postgres.js (its `socket` option), to end one way an attempt
 * can go wrong with an error: a server that accepts the connection and closes it before sending
 * a byte (a proxy or port forward whose database is gone, a server on its way down). postgres.js
 * 3.4 then reconnects at once, hundreds of times a second, and the query waiting for the
 * connection never fails (porsager/postgres#1193). Failed here, the query is told (the caller
 * gets `storage_unavailable`) and the next attempt waits for {@linkcode reconnectDelay}. The
 * socket is returned connecting; postgres.js writes its startup message, which waits until it is
 * connected. (No query cancellation uses this client: a cancel request's connection is closed
 * by the server without an answer, and would fail here.)
 */
export function openSocket(target: SocketTarget): net.Socket {
  const socket = target.path
    ? net.connect({ path: target.path })
    : net.connect(target.port[0], target.host[0]);
  // postgres.js names them in its connection errors.
  Object.assign(socket, { host: target.host[0], port: target.port[0] });
  socket.once("end", () => {
    if (socket.bytesRead > 0) return;
    socket.destroy(Object.assign(
      new Error("the server closed the connection before it answered"),
      { code: "ECONNRESET" },
    ));
  });
  return socket;
}

/** Whether `url` names one server (postgres.js also takes `host1:port1,host2:port2`). */
function singleHost(url: string): boolean {
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(url)?.[1] ?? "";
  return !authority.includes(",");
}

/** Opens a client for `url`. No connection is made until the first query. */
export function connect(url: string, options: ConnectOptions): Sql {
  const { schema, synchronousCommit, max = 10, keepOpen = false, onclose } = options;
  return postgres(url, {
    // Several servers: postgres.js picks among them itself, without the guard above.
    ...(singleHost(url) ? { socket: openSocket as unknown as () => net.Socket } : {}),
    max,
    connect_timeout: CONNECT_TIMEOUT_S,
    backoff: reconnectDelay,
    // Idle connections close after a while; the pool opens new ones when needed.
    idle_timeout: keepOpen ? 0 : 60,
    ...(keepOpen ? { max_lifetime: null } : {}),
    onclose,
    // The server's notices (a schema that exists already) are not ours to print.
    onnotice: () => {},
    connection: {
      application_name: "denoqueue",
      search_path: quoteIdentifier(schema),
      synchronous_commit: synchronousCommit,
    },
    types: {
      // Every int8 here is a count, a `seq` or epoch milliseconds: exact as a JS number.
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (text: string) => Number(text),
      },
    },
  });
}

/** `name` quoted as an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The URL with its password replaced by `***` (as given when it has none), for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.href.replace(/\/$/, "");
  } catch {
    // Not a URL we can read: show what is before the `@` as `***`, whatever it holds.
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/** SQLSTATE classes that mean the server, not the request: connection, resources, shutdown. */
const UNAVAILABLE_STATES = /^(08|53|57|58)/;

/** The codes postgres.js and the socket give a connection that failed or went away. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** Whether `error` says the database is out of reach for now, rather than the call was bad. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof Deno.errors.ConnectionRefused) return true;
  if (error instanceof Deno.errors.ConnectionReset) return true;
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code !== "string") return false;
  if (name === "PostgresError") return UNAVAILABLE_STATES.test(code);
  return CONNECTION_CODES.has(code);
}

/** `error` as the store reports it: `StoreUnavailableError` when the server is out of reach. */
export function asStoreError(error: unknown): unknown {
  return isUnavailable(error) ? new StoreUnavailableError(error) : error;
}

/** Why a first connection failed, in words for the person starting the service. */
export function explainConnectError(error: unknown, url: string): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  let where = "the server";
  try {
    const parsed = new URL(url);
    where = `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`;
  } catch { /* said without the address */ }
  if (code === "ECONNREFUSED" || error instanceof Deno.errors.ConnectionRefused) {
    return `connection refused (is PostgreSQL running at ${where}?)`;
  }
  if (code === "CONNECT_TIMEOUT") {
    return `no answer from ${where} within ${CONNECT_TIMEOUT_S} s`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve the host of ${where}`;
  return message ?? String(error);
}
