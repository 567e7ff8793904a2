/**
 * What checking a handler module's payloads costs at enqueue: the README's `welcome-email`
 * type enqueued N times (default 20,000) into a memory-store queue, in batches of 1,000 (four
 * producers) and one by one with 50 in flight, its payloads checked (a) on the main thread by a registry that
 * imported the module, as before the sandbox, and (b) by the module's catalog worker, as the
 * server does now. Jobs enqueued per second, each way, in one sitting.
 *
 *   deno run -A --unstable-worker-options tests/bench/validation_cost.ts [--n 20000] [--rounds 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { JobEvents } from "../../queue/events.ts";
import type { JobTypes } from "../../queue/handlers/job_types.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import { startCatalogs } from "../../queue/pool/module_catalogs.ts";
import { Queue } from "../../queue/queue.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { captureLog } from "../support/log_capture.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string", default: "20000" }, rounds: { type: "string", default: "3" } },
});
const N = Number(values.n);
const MODULE = new URL("../fixtures/readme_handlers.ts", import.meta.url).href;
const ITEM = { type: "welcome-email", payload: { to: "ada@example.com", name: "Ada" } };

async function rate(types: JobTypes, mode: "batches" | "singles"): Promise<number> {
  const queue = new Queue({
    store: new MemoryStore(),
    registry: types,
    events: new JobEvents(),
    capacity: N * 2,
    logger: captureLog().logger,
  });
  await queue.open();
  const start = performance.now();
  if (mode === "batches") {
    // Four producers, as the API's connections would be: one batch's check overlaps another's.
    let batches = N / 1000;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (batches-- > 0) await queue.enqueue(Array.from({ length: 1000 }, () => ITEM));
    }));
  } else {
    let next = 0;
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (next++ < N) await queue.enqueue([ITEM]);
    }));
  }
  const perSecond = N / ((performance.now() - start) / 1000);
  await queue.close();
  return Math.round(perSecond);
}

const mainThread = await HandlerRegistry.load([MODULE]);
const catalogs = await startCatalogs({ modules: [MODULE], logger: captureLog().logger });
const results: Record<string, number[]> = {};
for (let round = 0; round < Number(values.rounds); round++) {
  for (const mode of ["batches", "singles"] as const) {
    for (
      const [name, types] of [["main thread", mainThread], [
        "catalog worker",
        catalogs.types,
      ]] as const
    ) {
      (results[`${mode}, ${name}`] ??= []).push(await rate(types, mode));
    }
  }
}
catalogs.close();
for (const [what, rates] of Object.entries(results)) {
  console.log(`${what.padEnd(28)} ${rates.map((r) => `${r}/s`).join("  ")}`);
}
