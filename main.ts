/**
 * DenoQueue's entry: reads the configuration (flags, then environment), starts the service,
 * and drains gracefully on SIGINT/SIGTERM. A refusal to start is one plain line on stderr,
 * whatever the log format: it is for the person at the command line; the rest is the log.
 * @module
 */

import { exposureProblem } from "./api/auth/exposure.ts";
import { createServer } from "./api/server.ts";
import { helpText } from "./api/config/help.ts";
import { ConfigError, handlerBase, parseConfig } from "./api/config/parse.ts";
import { watchAncestors } from "./api/parent_watch.ts";
import { TlsError } from "./api/tls.ts";
import { HandlerLoadError } from "./queue/handlers/registry.ts";
import { consoleSink, createLogger, logFormat } from "./queue/primitives/logger.ts";
import { connectStore, describeStore, type StoreOptions } from "./queue/store/open.ts";
import type { Store } from "./queue/store/store.ts";

async function main(): Promise<number> {
  let parsed;
  try {
    const base = handlerBase(Deno.build.standalone, Deno.cwd(), import.meta.url);
    parsed = parseConfig(Deno.args, Deno.env.toObject(), base);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid ${error.message}`);
    return 2;
  }
  if (parsed.help) {
    console.log(helpText());
    return 0;
  }
  const { config } = parsed;
  const exposed = exposureProblem(config);
  if (exposed !== undefined) {
    console.error(exposed);
    return 2;
  }
  // Quiet once start-up has failed: the one line saying why is all the user needs.
  let quiet = false;
  const write = consoleSink(logFormat(config.logFormat));
  const logger = createLogger({
    level: config.logLevel,
    sink: (record) => quiet || write(record),
  });
  let store: Store;
  const storeOptions: StoreOptions = {
    durability: config.durability,
    logger,
    schema: config.schema,
    synchronousCommit: config.pgSynchronousCommit,
  };
  try {
    store = await connectStore(config.store, storeOptions);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
  let server;
  try {
    server = await createServer({ ...config, store, logger });
  } catch (error) {
    if (!(error instanceof HandlerLoadError)) throw error;
    console.error(error.message + handlerLoadHint(error.message));
    await store.close();
    return 2;
  }
  let address;
  try {
    address = await server.listen();
  } catch (error) {
    if (error instanceof TlsError) {
      console.error(error.message);
    } else if (error instanceof Deno.errors.AddrInUse) {
      console.error(
        `Cannot listen on ${config.host}:${config.port}: the port is in use ` +
          "(is another DenoQueue running? choose another with --port or PORT)",
      );
    } else {
      throw error;
    }
    quiet = true;
    await server.shutdown();
    return 2;
  }
  const { hostname, port, tls } = address;
  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stop(signal));
  }
  // Deno.serve gives up for good when out of file descriptors: stop rather than run deaf.
  let failed = false;
  server.served.catch(() => {
    failed = true;
    stop("the HTTP server stopping");
  });
  // Set by the start task: stop with npm, as if it had passed its SIGTERM on. Its ancestors are
  // read before the line below, so that a starter stopped once it is printed is noticed.
  const levels = Number(Deno.env.get("DENOQUEUE_STOP_WITH_ANCESTOR") ?? 0);
  const unwatch = levels > 0
    ? await watchAncestors(levels, () => stop("its starter ending"))
    : () => {};
  logger.info(
    `DenoQueue listening on ${tls ? "https" : "http"}://${hostname}:${port} ` +
      `(${config.workers} workers x ${config.concurrency}, capacity ${config.capacity}, ` +
      `${describeStore(config.store, storeOptions)}, ` +
      `authentication ${config.masterKey === undefined ? "off" : "on"})`,
  );
  const signal = await stopped;
  unwatch();
  logger.info(`Stopping on ${signal}`);
  // Every step of the shutdown is bounded; should one still hang (a store that never answers),
  // leave anyway once the grace periods and a margin have passed. The margin holds a PostgreSQL
  // store's close while its server is away (6 s at most: `PostgresStore.close`).
  const limit = config.shutdownGrace + config.killGrace + 2 * config.closeGrace + 10_000;
  const timer = setTimeout(() => {
    logger.error(`Shutdown took longer than ${limit} ms; exiting`);
    Deno.exit(1);
  }, limit);
  await server.shutdown();
  clearTimeout(timer);
  return failed ? 1 : 0;
}

/** What to do about a handler module that failed to load, where the way DenoQueue runs is why. */
function handlerLoadHint(message: string): string {
  if (!import.meta.url.endsWith(".ts") && /Import "denoqueue" not a dependency/.test(message)) {
    return ' (start the bundle with --import-map import_map.json: it maps "denoqueue")';
  }
  if (Deno.build.standalone && message.endsWith(": no such file")) {
    return " (an executable loads only the handler modules compiled into it: " +
      "DENOQUEUE_HANDLERS=... deno task compile)";
  }
  return "";
}

Deno.exit(await main());
