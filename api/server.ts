/**
 * `createServer`: wires store → queue → pool → app, listens with `Deno.serve`, and shuts down
 * gracefully. `main.ts` uses it with the parsed command line; embed it in your own entry to run
 * DenoQueue as a library.
 * @module
 */

import type { Hono } from "hono";
import type { Config } from "./config/options.ts";
import { JobEvents } from "../queue/events.ts";
import type { JobTypes } from "../queue/handlers/job_types.ts";
import { HandlerLoadError, HandlerRegistry } from "../queue/handlers/registry.ts";
import { type ModuleCatalogs, startCatalogs } from "../queue/pool/module_catalogs.ts";
import { ungrantable } from "../queue/pool/grantable.ts";
import { jobFields } from "../queue/log_fields.ts";
import { WorkerPool } from "../queue/pool/pool.ts";
import { Queue } from "../queue/queue.ts";
import { createLogger, type Logger } from "../queue/primitives/logger.ts";
import { settlesWithin } from "../queue/primitives/settles_within.ts";
import { openStore } from "../queue/store/open.ts";
import { OPTIONS } from "./config/options.ts";
import type { Store } from "../queue/store/store.ts";
import { RevocationNews } from "../queue/keys/revocation_news.ts";
import { ApiKeys } from "../queue/keys/api_keys.ts";
import { MasterKey } from "../queue/keys/master_key.ts";
import { createApp } from "./app.ts";
import { Authenticator } from "./auth/authenticator.ts";
import { exposureProblem, insecure } from "./auth/exposure.ts";
import { FailedAttempts, type FailedAttemptsOptions } from "./auth/failed_attempts.ts";
import { KeyedConnections } from "./auth/keyed_connections.ts";
import { EdgePolicy } from "./guards/edge.ts";
import { AddressSlots } from "./limits/address_slots.ts";
import { BodyReader } from "./limits/body_reader.ts";
import { ClientAddresses } from "./limits/client_address.ts";
import { readTls, serve } from "./tls.ts";
import { LiveFeed } from "./live_feed.ts";
import { DEFAULT_CLOSE_GRACE, ProducerSockets } from "./producer_socket.ts";

/** The store the service opens when none is given: the `--store` default. */
const DEFAULT_STORE = OPTIONS.store.fallback();

/** Options for {@linkcode createServer}: any `Config` field, plus what only code can pass. */
export interface ServerOptions extends Partial<Omit<Config, "handlers" | "store">> {
  /** What this node is called in `GET /api/nodes`. Default: the host name and the pid. */
  nodeName?: string;
  /** Handler modules (absolute URLs, e.g. `new URL("./my_handlers.ts", import.meta.url)`). */
  handlers?: (string | URL)[];
  /**
   * Where jobs live. Default, as for the service: SQLite at `./data/denoqueue.db` (from the
   * current directory); `openStore("memory")` or `openStore("sqlite:PATH")` for another.
   */
  store?: Store;
  /**
   * Where the service logs. Default: standard output at `logLevel` (default `info`), in
   * `logFormat` (default `auto`: readable on a terminal, JSON lines otherwise).
   */
  logger?: Logger;
  /** Failed authentications allowed per client address. Default: 10 a minute. */
  authFailures?: FailedAttemptsOptions;
  /**
   * How often the keys of open producer sockets and event streams are checked again (a key
   * revoked by another process, or expired, ends them), in ms. Default 5,000.
   */
  keyRecheckEvery?: number;
  /**
   * On a store shared by a cluster: how often every node's unfinished jobs are counted for
   * capacity, in ms. Default 200.
   */
  capacityRefresh?: number;
  /** How long a producer socket opened without a key has to send it, in ms. Default 10,000. */
  socketKeyTimeout?: number;
  /** The window of finished jobs a worker holds ahead (`claimAhead`), in ms. Default 100. */
  claimAheadPaceMs?: number;
}

/**
 * The server would listen beyond loopback without authentication (no master key and no
 * `insecureNoAuth`): nothing is opened or started.
 */
export class ExposureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExposureError";
  }
}

/** A running DenoQueue, before or after it listens. */
export interface DenoQueueServer {
  readonly app: Hono;
  readonly queue: Queue;
  readonly pool: WorkerPool;
  readonly events: JobEvents;
  readonly feed: LiveFeed;
  /** The open producer WebSockets. */
  readonly producers: ProducerSockets;
  /** Requests in progress, per client address and in all (`--max-requests`). */
  readonly requests: AddressSlots;
  /** Request bodies being read (`--body-limit`, `--body-timeout`). */
  readonly bodies: BodyReader;
  /**
   * Starts listening (HTTPS with `tlsCert` and `tlsKey`); resolves with the bound address
   * once it does. Rejects with a `TlsError` naming the flag and file when they cannot be used.
   */
  listen(): Promise<{ hostname: string; port: number; tls: boolean }>;
  /**
   * Settles once the HTTP server has stopped: resolves after `shutdown()`, rejects when it
   * stopped by itself. Deno.serve stops accepting for good when the process runs out of file
   * descriptors (each open connection holds one): the error is logged here, and `main.ts`
   * then shuts down and exits 1, for a supervisor to restart it.
   */
  readonly served: Promise<void>;
  /**
   * Stops taking work (new requests get 503) and gives running jobs `shutdownGrace` to finish.
   * Then aborts the signals of those still running and gives them `killGrace` to return (what
   * they return is recorded); the workers of the rest are terminated, and those jobs are put
   * back (durable store) or cancelled (memory store). Producer sockets and HTTP connections
   * get `closeGrace` to close. Resolves once the maintenance services, lease renewal and
   * store are closed: every wait is bounded.
   */
  shutdown(): Promise<void>;
}

/**
 * @example
 * ```ts ignore
 * import { createServer } from "./api/server.ts";
 * const server = await createServer({
 *   port: 8080,
 *   handlers: [new URL("./my_handlers.ts", import.meta.url)],
 * });
 * await server.listen();
 * Deno.addSignalListener("SIGTERM", () => server.shutdown());
 * ```
 */
export async function createServer(options: ServerOptions = {}): Promise<DenoQueueServer> {
  const host = options.host ?? "127.0.0.1";
  const exposure = { host, masterKey: options.masterKey, insecureNoAuth: options.insecureNoAuth };
  const exposed = exposureProblem(exposure);
  if (exposed !== undefined) throw new ExposureError(exposed);
  // A weak master key is refused (RangeError naming masterKey) before anything is opened.
  const masterKey = options.masterKey === undefined ? undefined : new MasterKey(options.masterKey);
  const logger = options.logger ??
    createLogger({ level: options.logLevel, format: options.logFormat });
  const modules = (options.handlers ?? []).map((module) => String(module));
  // The modules' code runs only in workers: here, one with no permissions says what they define.
  let registry: JobTypes = await HandlerRegistry.load([]);
  let catalog: ModuleCatalogs | undefined;
  if (modules.length > 0) {
    ({ types: registry } = catalog = await startCatalogs({ modules, logger }));
  }
  const beyond = ungrantable(registry.sandboxes());
  if (beyond !== undefined) {
    catalog?.close();
    throw new HandlerLoadError(beyond);
  }
  const store = options.store ?? openStore(DEFAULT_STORE, { logger });
  const events = new JobEvents({ logger });
  // The pool is made once the queue is open; until then the node reports no workers.
  // deno-lint-ignore prefer-const
  let pool: WorkerPool | undefined;
  const queue = new Queue({
    store,
    registry,
    events,
    logger,
    capacity: options.capacity,
    enqueueWait: options.enqueueWait,
    capacityRefreshMs: options.capacityRefresh,
    leaseMs: options.lease,
    node: {
      name: options.nodeName,
      heartbeatMs: options.heartbeat,
      timeoutMs: options.nodeTimeout,
      load: () => {
        const stats = pool?.stats();
        return { workers: stats?.size ?? 0, busy: stats?.busy ?? 0 };
      },
    },
    retention: {
      completed: options.retainCompleted,
      failed: options.retainFailed,
      count: options.retainCount,
    },
  });
  const { rescued } = await queue.open().catch((error) => {
    catalog?.close();
    throw error;
  });
  if (rescued > 0) {
    logger.warn(
      `Rescued ${rescued} job(s) left running by a process that stopped without finishing them: ` +
        "each attempt is recorded as interrupted, ending now (when it really stopped is not " +
        "known), and the retry policy applies",
      { rescued },
    );
  }
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  pool = new WorkerPool({
    queue,
    size: options.workers,
    concurrency: options.concurrency,
    claimAhead: options.claimAhead,
    claimAheadPaceMs: options.claimAheadPaceMs,
    demoSpeed: options.demoSpeed,
    killGrace: options.killGrace,
    resultLimit: options.resultLimit,
    httpAllow: options.httpAllow,
    childLimits: { payloadBytes: bodyLimit },
    logger,
  });
  await pool.start();
  let draining = false;
  const feed = new LiveFeed({ queue, pool, logger });
  // Shared by a cluster: revocations are told to every node, to end their open connections.
  const news = store.exclusive || store.broadcast === undefined
    ? undefined
    : new RevocationNews(store.broadcast);
  const keys = masterKey === undefined
    ? undefined
    : new ApiKeys({ store, masterKey, logger, news });
  const auth = new Authenticator({
    keys,
    insecure: insecure(exposure),
    failures: new FailedAttempts(options.authFailures),
    logger,
  });
  if (auth.insecure) {
    logger.warn(
      `Authentication is off (--insecure-no-auth) and the server listens on ${host}: anyone ` +
        "who reaches it can read, clear and cancel every job. Set --master-key to turn it on",
    );
  }
  const connections = new KeyedConnections({
    keys,
    recheckEvery: options.keyRecheckEvery,
    logger,
  });
  const unhearRevocations = keys === undefined
    ? () => {}
    : news?.onRevoked((id) => connections.revoked(id)) ?? (() => {});
  const closeGrace = options.closeGrace ?? DEFAULT_CLOSE_GRACE;
  const producers = new ProducerSockets(
    queue,
    bodyLimit,
    logger,
    { auth, connections, closeGrace, keyTimeout: options.socketKeyTimeout },
    new AddressSlots({
      limit: options.maxProducerSockets ?? 32,
      perClient: options.maxProducerSocketsPerClient ?? 8,
    }),
  );
  const bodies = new BodyReader({ limit: bodyLimit, timeout: options.bodyTimeout ?? 10_000 });
  const requests = new AddressSlots({
    limit: options.maxRequests ?? 1024,
    perClient: options.maxRequestsPerClient ?? 128,
  });
  // HTTPS when a certificate is given: the server's own origins and its cookies say so.
  const https = Boolean(options.tlsCert);
  const port = options.port ?? 8080;
  const edge = new EdgePolicy({
    host,
    port,
    protocol: https ? "https:" : "http:",
    publicUrl: options.publicUrl,
    allowedHosts: options.allowedHosts,
    corsOrigins: options.corsOrigins,
  });
  const app = createApp({
    queue,
    pool,
    feed,
    producers,
    edge,
    auth,
    connections,
    secureCookies: https || (options.publicUrl?.startsWith("https:") ?? false),
    bodies,
    limits: { slots: requests, clients: new ClientAddresses(options.trustProxy) },
    draining: () => draining,
    logger,
  });
  let http: Deno.HttpServer | undefined;
  let shutdown: Promise<void> | undefined;
  const served = Promise.withResolvers<void>();
  served.promise.catch((error) =>
    logger.error(
      `The HTTP server stopped accepting connections: ${error?.message ?? error} ` +
        "(open connections are bounded by the open-file limit: ulimit -n, LimitNOFILE)",
    )
  );
  const grace = options.shutdownGrace ?? 10_000;

  return {
    app,
    queue,
    pool,
    events,
    feed,
    producers,
    requests,
    bodies,
    served: served.promise,
    async listen() {
      const tls = await readTls(options.tlsCert, options.tlsKey);
      const { promise, resolve } = Promise.withResolvers<{ hostname: string; port: number }>();
      http = serve(tls, {
        port,
        hostname: host,
        onListen: (address) => {
          // The guards learn the port now: the real one when port 0 asked for any.
          edge.names.listening(address.port);
          resolve(address);
        },
        // `info` becomes `c.env`: the request limits read the client's address from it.
      }, (request, info) => app.fetch(request, info));
      http.finished.then(served.resolve, served.reject);
      return { ...await promise, tls: tls !== undefined };
    },
    shutdown() {
      shutdown ??= (async () => {
        draining = true;
        // Enqueues are refused from here on; the maintenance services stop meanwhile.
        const queueClosed = queue.close();
        // Producers get the answers they wait for, then their sockets close.
        const producersClosed = producers.close(closeGrace);
        logger.info(
          `Shutting down: ${pool.running} running job(s) get up to ${grace} ms to finish, ` +
            `then ${pool.killGrace} ms once their signals abort`,
        );
        const left = await pool.drain(grace);
        await pool.close();
        catalog?.close();
        if (left.length > 0 && store.durable) {
          try {
            await queue.requeue(left);
            logger.info(`Put ${left.length} unfinished job(s) back in the queue`, jobFields(left));
          } catch (error) {
            // The database is away: the jobs stay in progress under this process's leases, and
            // are rescued (an interrupted attempt) once those run out. The shutdown goes on.
            logger.error(
              `Could not put ${left.length} unfinished job(s) back; they are rescued once ` +
                "their leases run out",
              { ...jobFields(left), error },
            );
          }
        } else if (left.length > 0) {
          for (const job of left) {
            await queue.cancel(job.id, "Cancelled at shutdown (memory store)").catch(() => {});
          }
          logger.warn(
            `Cancelled ${left.length} unfinished job(s): the memory store keeps nothing`,
            jobFields(left),
          );
        }
        const unanswered = await producersClosed;
        if (unanswered > 0) {
          logger.warn(
            `${unanswered} producer socket(s) did not answer the close in ${closeGrace} ms`,
          );
        }
        feed.close();
        unhearRevocations();
        connections.close();
        bodies.close();
        if (http !== undefined && !await settlesWithin(http.shutdown(), closeGrace)) {
          logger.warn(
            `HTTP connections still open after ${closeGrace} ms (a client not reading, or a ` +
              `request body never finished); not waiting for them`,
          );
        }
        await queueClosed;
        await store.close();
        logger.info("Stopped");
      })();
      return shutdown;
    },
  };
}
