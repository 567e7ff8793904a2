/**
 * DenoQueue's entry: reads the configuration (flags, then environment), starts the service,
 * and drains gracefully on SIGINT/SIGTERM.
 * @module
 */

import { createServer } from "./api/server.ts";
import { helpText } from "./api/config/help.ts";
import { ConfigError, parseConfig } from "./api/config/parse.ts";
import { describeStore, openStore } from "./queue/store/open.ts";
import type { Store } from "./queue/store/store.ts";

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(Deno.args, Deno.env.toObject(), Deno.cwd());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid option ${error.message}`);
    return 2;
  }
  if (parsed.help) {
    console.log(helpText());
    return 0;
  }
  const { config } = parsed;
  let store: Store;
  try {
    store = openStore(config.store, { durability: config.durability });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
  const server = await createServer({ ...config, store });
  const { hostname, port } = await server.listen();
  console.log(
    `DenoQueue listening on http://${hostname}:${port} ` +
      `(${config.workers} workers x ${config.concurrency}, capacity ${config.capacity}, ` +
      `${describeStore(config.store, config.durability)})`,
  );
  const { promise: stopped, resolve: stop } = Promise.withResolvers<string>();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stop(signal));
  }
  const signal = await stopped;
  console.log(`Received ${signal}`);
  // Every step of the shutdown is bounded; should one still hang (a store that never answers),
  // leave anyway once the grace periods and a margin have passed.
  const limit = config.shutdownGrace + config.killGrace + 2 * config.closeGrace + 5_000;
  const timer = setTimeout(() => {
    console.error(`Shutdown took longer than ${limit} ms; exiting`);
    Deno.exit(1);
  }, limit);
  await server.shutdown();
  clearTimeout(timer);
  return 0;
}

Deno.exit(await main());
