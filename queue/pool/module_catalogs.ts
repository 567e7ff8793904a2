/**
 * The job types of the handler modules, learnt without running their code on the main thread:
 * each module is loaded in a catalog worker of its own, with no permissions, so one module's
 * code (or a dependency's) can neither rewrite another's description nor the payloads it
 * checks. What a worker describes is checked here before it is believed: a type it names must
 * be new (not built in, not another module's), its permissions are put in canonical form
 * again, and its policy must be a policy.
 * @module
 */

import type { PayloadCheck, PayloadResult } from "../handlers/job_types.ts";
import { BUILT_IN, HandlerLoadError, moduleName, typeClash } from "../handlers/module_loader.ts";
import { TYPE_PATTERN } from "../handlers/define.ts";
import { checkPermissions } from "../handlers/permissions.ts";
import { HandlerRegistry } from "../handlers/registry.ts";
import { type ModuleTypeSpec, TypeCatalog } from "../handlers/type_catalog.ts";
import { type CatalogOptions, CatalogWorker } from "./catalog_worker.ts";

/** The catalogs of the modules: their types with the built-ins, and how to end them. */
export interface ModuleCatalogs {
  types: TypeCatalog;
  /** Ends every catalog worker; checks still waiting are refused. */
  close(): void;
}

/**
 * Starts a catalog worker per module (in parallel) and returns the types they define. Rejects
 * with a `HandlerLoadError` naming the first module, in the order given, that cannot be used.
 *
 * @example
 * ```ts ignore
 * const { types, close } = await startCatalogs({ modules: [handlersUrl] });
 * await types.check([{ type: "welcome", payload: { to: "a@example.com" }, prefix: "" }]);
 * close();
 * ```
 */
export async function startCatalogs(options: CatalogOptions): Promise<ModuleCatalogs> {
  const builtins = await HandlerRegistry.load([]);
  const workers = options.modules.map((module) =>
    new CatalogWorker({ ...options, modules: [module] })
  );
  const close = () => workers.forEach((worker) => worker.close());
  const described = await Promise.allSettled(workers.map((worker) => worker.describe()));
  const definedIn = new Map<string, string>(builtins.types().map((type) => [type, BUILT_IN]));
  const specs: ModuleTypeSpec[] = [];
  const workerOf = new Map<string, CatalogWorker>();
  try {
    for (const [index, result] of described.entries()) {
      if (result.status === "rejected") throw result.reason;
      const module = options.modules[index];
      for (const spec of checkedSpecs(result.value, module)) {
        const other = definedIn.get(spec.type);
        if (other !== undefined) throw typeClash(spec.type, moduleName(module), other);
        definedIn.set(spec.type, moduleName(module));
        specs.push(spec);
        workerOf.set(spec.type, workers[index]);
      }
    }
  } catch (error) {
    close();
    throw error;
  }
  const checker = { check: (items: PayloadCheck[]) => checkEach(items, workerOf) };
  return { types: new TypeCatalog(builtins, specs, checker), close };
}

/** Sends each module's items to its worker and puts the answers back in order. */
async function checkEach(
  items: PayloadCheck[],
  workerOf: Map<string, CatalogWorker>,
): Promise<PayloadResult[]> {
  const byWorker = new Map<CatalogWorker, number[]>();
  for (const [index, item] of items.entries()) {
    const worker = workerOf.get(item.type)!; // The type catalog sends its own types only.
    const indexes = byWorker.get(worker);
    if (indexes === undefined) byWorker.set(worker, [index]);
    else indexes.push(index);
  }
  const results: PayloadResult[] = new Array(items.length);
  await Promise.all(
    [...byWorker].map(async ([worker, indexes]) => {
      const answers = await worker.check(indexes.map((index) => items[index]));
      for (const [i, index] of indexes.entries()) results[index] = answers[i];
    }),
  );
  return results;
}

/** The worker's description of `module`, checked field by field; a bent one stops start-up. */
function checkedSpecs(specs: unknown, module: string): ModuleTypeSpec[] {
  const bent = (why: string) =>
    new HandlerLoadError(
      `The handler module ${moduleName(module)} described its job types wrongly (${why})`,
    );
  if (!Array.isArray(specs)) throw bent("not a list");
  return specs.map((spec: Partial<ModuleTypeSpec>) => {
    const { type, timeout, retry } = spec ?? {};
    if (typeof type !== "string" || !TYPE_PATTERN.test(type)) throw bent("a type name");
    if (spec.module !== module) throw bent(`${type} from another module`);
    if (!Number.isInteger(timeout) || timeout! < 1) throw bent(`the timeout of ${type}`);
    const attempts = retry?.maxAttempts;
    if (!Number.isInteger(attempts) || attempts! < 1) throw bent(`the attempts of ${type}`);
    const backoff = retry?.backoff ?? {};
    for (const value of Object.values(backoff)) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw bent(`the backoff of ${type}`);
      }
    }
    let permissions;
    try {
      permissions = checkPermissions(type, spec.permissions);
    } catch (error) {
      throw bent((error as Error).message);
    }
    return { ...spec, type, permissions, module } as ModuleTypeSpec;
  });
}
