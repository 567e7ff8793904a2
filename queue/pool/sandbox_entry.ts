/**
 * A sandboxed worker's entry: a `data:` module that imports the worker runtime and passes it
 * one loader per handler module, each an `import()` of a literal URL. Deno fetches what an
 * entry names literally as the entry's own code, without checking read permission, so a
 * worker allowed to read nothing still loads its handlers; anything else it imports at run
 * time (the database, a key file) needs the read permission it was not given.
 * @module
 */

/** The worker runtime beside this file: `worker.ts`, or `worker.js` when bundled. */
export function defaultRuntimeUrl(): URL {
  const bundled = !import.meta.url.endsWith(".ts");
  return new URL(bundled ? "./worker.js" : "./worker.ts", import.meta.url);
}

/**
 * The entry for a worker that runs `runtime` (a module exporting `serve`) with the handler
 * modules `modules` (absolute URLs).
 *
 * @example
 * ```ts
 * import { sandboxEntry } from "./sandbox_entry.ts";
 * const entry = sandboxEntry(new URL("file:///srv/worker.js"), ["file:///srv/handlers.ts"]);
 * entry.protocol; // "data:"
 * ```
 */
export function sandboxEntry(runtime: URL, modules: readonly string[]): URL {
  const loaders = modules.map((module) => {
    const specifier = JSON.stringify(new URL(module).href);
    return `  { specifier: ${specifier}, load: () => import(${specifier}) },`;
  });
  const source = [
    `import { serve } from ${JSON.stringify(runtime.href)};`,
    "serve([",
    ...loaders,
    "]);",
  ].join("\n");
  return new URL(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`);
}
