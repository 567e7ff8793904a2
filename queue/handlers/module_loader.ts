/**
 * Loading handler modules: each module's handlers, found by their brand, with every job type
 * defined once. Loading is the caller's: a sandboxed worker passes loaders that import with
 * literal specifiers (Deno fetches those with the worker's own code, without a read check).
 * @module
 */

import { builtinHandlers } from "./builtin.ts";
import { type Handler, isHandler } from "./define.ts";

/** A handler module and how to import it. */
export interface ModuleSource {
  /** Its absolute URL. */
  specifier: string;
  /** Imports it (`() => import(specifier)`). */
  load: () => Promise<Record<string, unknown>>;
}

/** A handler and the module that defines it (`undefined` for a built-in). */
export interface LoadedHandler {
  handler: Handler;
  module?: string;
}

/**
 * A handler module that cannot be used: missing, not valid code, exporting no handler, or
 * defining a job type another handler (or a built-in) defines. One line, naming the module and
 * the type, for the person starting the service.
 */
export class HandlerLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HandlerLoadError";
  }
}

/** Where `typeClash` says a built-in type is defined. */
export const BUILT_IN = "(built in)";

/** How messages name a module: its path for a local file, else its URL. */
export function moduleName(specifier: string): string {
  return specifier.startsWith("file:")
    ? decodeURIComponent(new URL(specifier).pathname)
    : specifier;
}

/** Sources that import each specifier dynamically (for code that may read the files). */
export function importedSources(specifiers: readonly string[]): ModuleSource[] {
  return specifiers.map((specifier) => ({ specifier, load: () => import(specifier) }));
}

/** Collects handlers from a module's exports: handlers, or arrays of them, under any name. */
export function handlersFromModule(module: Record<string, unknown>, specifier: string): Handler[] {
  const found: Handler[] = [];
  for (const value of Object.values(module)) {
    if (isHandler(value)) found.push(value);
    else if (Array.isArray(value)) found.push(...value.filter(isHandler));
  }
  if (found.length === 0) {
    throw new TypeError(
      `Handler module ${specifier} exports no handler (export the result of defineHandler)`,
    );
  }
  return [...new Set(found)];
}

/** Imports each module, in order, and returns its handlers; the first problem throws. */
export async function loadHandlers(sources: readonly ModuleSource[]): Promise<LoadedHandler[]> {
  const loaded: LoadedHandler[] = [];
  // Where each type was defined, to name both places when two define it.
  const definedIn = new Map<string, string>(
    builtinHandlers.map((handler) => [handler.type, BUILT_IN]),
  );
  for (const { specifier, load } of sources) {
    const name = moduleName(specifier);
    let module: Record<string, unknown>;
    try {
      module = await load();
    } catch (error) {
      throw new HandlerLoadError(`Cannot load the handler module ${name}: ${why(error)}`, {
        cause: error,
      });
    }
    let found: Handler[];
    try {
      found = handlersFromModule(module, name);
    } catch (error) {
      throw new HandlerLoadError((error as Error).message, { cause: error });
    }
    for (const handler of found) {
      const other = definedIn.get(handler.type);
      if (other !== undefined) throw typeClash(handler.type, name, other);
      definedIn.set(handler.type, name);
      loaded.push({ handler, module: specifier });
    }
  }
  return loaded;
}

/** Two definitions of one job type: where they are (`other`: a module, or built in), in one line. */
export function typeClash(type: string, module: string, other: string): HandlerLoadError {
  const named = JSON.stringify(type);
  if (other === BUILT_IN) {
    return new HandlerLoadError(
      `The handler module ${module} defines the job type ${named}, which is built in: ` +
        "choose another name",
    );
  }
  if (other === module) {
    return new HandlerLoadError(`The handler module ${module} defines the job type ${named} twice`);
  }
  return new HandlerLoadError(
    `The handler modules ${other} and ${module} both define the job type ${named}`,
  );
}

/**
 * Why an import failed, in one line: the first line of Deno's message, with its position. A
 * permission the module's top level lacks is named with where to use it instead.
 */
function why(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/^Module not found/.test(message)) return "no such file";
  const [first] = message.split("\n");
  if (error instanceof Error && error.name === "NotCapable") {
    return `NotCapable: ${first.replace(/, run again with the .*$/, "")} at its top level ` +
      "(a module's top level runs with no permissions while DenoQueue reads its job types: " +
      "use the environment, files and network inside run, declared in permissions)";
  }
  const at = /\bat (file:\/\/\S+:(\d+):(\d+))\s*$/.exec(message);
  return at === null ? first : `${first} (line ${at[2]}, column ${at[3]})`;
}
