/**
 * The house's directions, read from the imports (the README's Code map): the domain knows no HTTP,
 * drivers know only the domain's types, the API never reaches into a driver, and no module
 * imports itself round a cycle.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^"';]*?\bfrom\s*"(\.{1,2}\/[^"]+)"/g;

/** Every production module (`main.ts`, `queue/`, `api/`, `ui/`), by path from the root. */
function modules(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const read = (path: string) => {
    const text = Deno.readTextFileSync(join(ROOT, path));
    graph.set(path, [...text.matchAll(IMPORT)].map((m) => join(dirname(path), m[1])));
  };
  const visit = (folder: string) => {
    for (const entry of Deno.readDirSync(join(ROOT, folder))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory) visit(path);
      else if (path.endsWith(".ts") && !path.endsWith(".gen.ts")) read(path);
    }
  };
  for (const folder of ["queue", "api", "ui"]) visit(folder);
  read("main.ts");
  return graph;
}

const graph = modules();

function importsMatching(from: RegExp, to: RegExp): string[] {
  const found: string[] = [];
  for (const [module, targets] of graph) {
    if (!from.test(module)) continue;
    for (const target of targets) if (to.test(target)) found.push(`${module} -> ${target}`);
  }
  return found;
}

Deno.test("Layout: the reader finds the modules and their imports", () => {
  assert.ok(graph.size > 50, `${graph.size} modules`);
  assert.ok(graph.get("queue/queue.ts")!.includes("queue/enqueue/enqueuer.ts"));
});

Deno.test("Layout: the top level holds only the fixed entries", async () => {
  // What git tracks at the root (data/, dist/ and node_modules/ are ignored output).
  const { stdout } = await new Deno.Command("git", { args: ["ls-files"], cwd: ROOT }).output();
  const top = new Set(
    new TextDecoder().decode(stdout).split("\n").filter(Boolean).map((path) => path.split("/")[0]),
  );
  const allowed = new Set([
    ".ci",
    ".gitignore",
    "README.md",
    "api",
    "deno.json",
    "deno.lock",
    "deploy",
    "examples",
    "main.ts",
    "queue",
    "tests",
    "ui",
  ]);
  assert.deepEqual([...top].filter((entry) => !allowed.has(entry)), []);
  assert.ok(top.has("queue") && top.has("deno.json"), [...top].join(", "));
});

Deno.test("Layout: queue/ never imports api/ or ui/", () => {
  assert.deepEqual(importsMatching(/^queue\//, /^(api|ui)\//), []);
});

Deno.test("Layout: store drivers import the domain, never the pool, the API or each other", () => {
  assert.deepEqual(
    importsMatching(
      /^queue\/store\/memory\//,
      /^(api|ui|queue\/pool|queue\/store\/(sqlite|postgres))\//,
    ),
    [],
  );
  assert.deepEqual(
    importsMatching(
      /^queue\/store\/sqlite\//,
      /^(api|ui|queue\/pool|queue\/store\/(memory|postgres))\//,
    ),
    [],
  );
  assert.deepEqual(
    importsMatching(
      /^queue\/store\/postgres\//,
      /^(api|ui|queue\/pool|queue\/store\/(memory|sqlite))\//,
    ),
    [],
  );
});

Deno.test("Layout: the API and the dashboard never reach into a store driver", () => {
  assert.deepEqual(importsMatching(/^(api|ui)\//, /^queue\/store\/(memory|sqlite|postgres)\//), []);
});

Deno.test("Layout: generic primitives import nothing of the domain", () => {
  assert.deepEqual(
    importsMatching(/^queue\/primitives\//, /^(?!queue\/primitives\/)/),
    [],
  );
});

Deno.test("Layout: no import cycles", () => {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (module: string, path: string[]) => {
    state.set(module, "open");
    for (const target of graph.get(module) ?? []) {
      if (state.get(target) === "open") {
        cycles.push([...path.slice(path.indexOf(target)), target].join(" -> "));
      } else if (!state.has(target)) visit(target, [...path, target]);
    }
    state.set(module, "done");
  };
  for (const module of graph.keys()) if (!state.has(module)) visit(module, [module]);
  assert.deepEqual(cycles, []);
});

Deno.test("Layout: the service logs through its Logger, never straight to the console", () => {
  // main.ts prints --help and the one-line refusals to start; the console sink writes the log.
  const allowed = new Set(["main.ts", "queue/primitives/logger.ts"]);
  const found: string[] = [];
  for (const module of graph.keys()) {
    if (allowed.has(module) || module.startsWith("ui/")) continue;
    const lines = Deno.readTextFileSync(join(ROOT, module)).split("\n");
    for (const [i, line] of lines.entries()) {
      // Comment lines (JSDoc and its examples) may show the console.
      if (!/^\s*(\*|\/\/)/.test(line) && /\bconsole\.\w+\(/.test(line)) {
        found.push(`${module}:${i + 1}`);
      }
    }
  }
  assert.deepEqual(found, []);
});
