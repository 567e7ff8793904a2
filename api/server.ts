/**
 * `createServer`: wires store → queue → pool → app, listens with `Deno.serve`, and shuts down
 * gracefully. `main.ts` uses it with the parsed command line; embed it in your own entry to run
 * DenoQueue as a library.
 * @module
 */

import type { Hono } from "hono";
import type { Config } from "./config/options.ts";
import { JobEvents } from "../queue/events.ts";
import { HandlerRegistry } from "../queue/handlers/registry.ts";
import { WorkerPool } from "../queue/pool/pool.ts";
import { Queue } from "../queue/queue.ts";
import { settlesWithin } from "../queue/primitives/settles_within.ts";
import { openStore } from "../queue/store/open.ts";
import { OPTIONS } from "./config/options.ts";
import type { Store } from "../queue/store/store.ts";
import { createApp } from "./app.ts";
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
  /** Handler modules (absolute URLs, e.g. `new URL("./my_handlers.ts", import.meta.url)`). */
  handlers?: (string | URL)[];
  /**
   * Where jobs live. Default, as for the service: SQLite at `./data/denoqueue.db` (from the
   * current directory); `openStore("memory")` or `openStore("sqlite:PATH")` for another.
   */
  store?: Store;
  /** Where log lines go. Default: `console.log`. */
  log?: (line: string) => void;
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
  const log = options.log ?? console.log;
  const modules = (options.handlers ?? []).map((module) => String(module));
  const registry = await HandlerRegistry.load(modules);
  const store = options.store ?? openStore(DEFAULT_STORE);
  const events = new JobEvents();
  const queue = new Queue({
    store,
    registry,
    events,
    capacity: options.capacity,
    enqueueWait: options.enqueueWait,
    leaseMs: options.lease,
    retention: {
      completed: options.retainCompleted,
      failed: options.retainFailed,
      count: options.retainCount,
    },
  });
  const { rescued } = await queue.open();
  if (rescued > 0) {
    log(
      `Rescued ${rescued} job(s) left running by a process that stopped without finishing them: ` +
        "each attempt is recorded as interrupted, ending now (when it really stopped is not " +
        "known), and the retry policy applies",
    );
  }
  const pool = new WorkerPool({
    queue,
    size: options.workers,
    concurrency: options.concurrency,
    modules,
    demoSpeed: options.demoSpeed,
    killGrace: options.killGrace,
    resultLimit: options.resultLimit,
  });
  await pool.start();
  let draining = false;
  const feed = new LiveFeed({ queue, pool });
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const bodies = new BodyReader({ limit: bodyLimit, timeout: options.bodyTimeout ?? 10_000 });
  const producers = new ProducerSockets(
    queue,
    bodyLimit,
    new AddressSlots({
      limit: options.maxProducerSockets ?? 32,
      perClient: options.maxProducerSocketsPerClient ?? 8,
    }),
  );
  const requests = new AddressSlots({
    limit: options.maxRequests ?? 1024,
    perClient: options.maxRequestsPerClient ?? 128,
  });
  const app = createApp({
    queue,
    pool,
    feed,
    producers,
    bodies,
    limits: { slots: requests, clients: new ClientAddresses(options.trustProxy) },
    draining: () => draining,
  });
  let http: Deno.HttpServer | undefined;
  let shutdown: Promise<void> | undefined;
  const served = Promise.withResolvers<void>();
  served.promise.catch((error) =>
    log(
      `The HTTP server stopped accepting connections: ${error?.message ?? error} ` +
        "(open connections are bounded by the open-file limit: ulimit -n, LimitNOFILE)",
    )
  );
  const grace = options.shutdownGrace ?? 10_000;
  const closeGrace = options.closeGrace ?? DEFAULT_CLOSE_GRACE;

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
        port: options.port ?? 8080,
        hostname: options.host ?? "127.0.0.1",
        onListen: (address) => resolve(address),
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
        log(
          `Shutting down: ${pool.running} running job(s) get up to ${grace} ms to finish, ` +
            `then ${pool.killGrace} ms once their signals abort`,
        );
        const left = await pool.drain(grace);
        await pool.close();
        if (left.length > 0 && store.durable) {
          await queue.requeue(left);
          log(`Put ${left.length} unfinished job(s) back in the queue`);
        } else if (left.length > 0) {
          for (const job of left) {
            await queue.cancel(job.id, "Cancelled at shutdown (memory store)").catch(() => {});
          }
          log(`Cancelled ${left.length} unfinished job(s): the memory store keeps nothing`);
        }
        const unanswered = await producersClosed;
        if (unanswered > 0) {
          log(`${unanswered} producer socket(s) did not answer the close in ${closeGrace} ms`);
        }
        feed.close();
        bodies.close();
        if (http !== undefined && !await settlesWithin(http.shutdown(), closeGrace)) {
          log(
            `HTTP connections still open after ${closeGrace} ms (a client not reading, or a ` +
              `request body never finished); not waiting for them`,
          );
        }
        await queueClosed;
        await store.close();
        log("Stopped");
      })();
      return shutdown;
    },
  };
}
