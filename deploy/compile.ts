/**
 * `deno task compile`: builds the executable `dist/denoqueue` with `deno compile`, with the
 * handler modules named by `DENOQUEUE_HANDLERS` compiled in, since a compiled program imports
 * the modules compiled into it and no other file.
 * @module
 */

import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * The same permissions, unstable features and V8 flags as `deno task start`, which the
 * executable keeps (sandboxed workers need `--unstable-worker-options`).
 */
const RUN_FLAGS = [
  "--no-prompt",
  "--unstable-worker-options",
  "--unstable-no-legacy-abort",
  "--v8-flags=--max-semi-space-size=2",
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
];

/** Modules the program loads by URL, which `deno compile` cannot find by itself. */
const ENTRIES = ["queue/pool/worker.ts", "queue/store/sqlite/checkpointer.ts"];

/** A handler module to compile in: where it is, and how `--handlers` names it in the executable. */
export interface CompiledHandler {
  /** Absolute path on this machine. */
  readonly path: string;
  /** The path relative to the DenoQueue folder, as `--handlers` takes it in the executable. */
  readonly name: string;
}

/**
 * The handler modules named by a `DENOQUEUE_HANDLERS` value (comma-separated paths, relative
 * to `cwd`), each checked to exist; throws a `TypeError` naming the variable and the path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handlersToCompile } from "./compile.ts";
 *
 * assert.deepEqual(handlersToCompile("", "/srv", "/srv/denoqueue/"), []);
 * ```
 */
export function handlersToCompile(
  value: string,
  cwd: string,
  root = ROOT,
  exists: (path: string) => boolean = isFile,
): CompiledHandler[] {
  const parts = value.split(",").map((part) => part.trim()).filter((part) => part !== "");
  return parts.map((part) => {
    if (/^[a-z]+:/i.test(part)) {
      throw new TypeError(
        `Invalid DENOQUEUE_HANDLERS: ${JSON.stringify(part)} must be a file path to compile in`,
      );
    }
    const path = resolve(cwd, part);
    if (!exists(path)) {
      throw new TypeError(`Invalid DENOQUEUE_HANDLERS: no such file ${path}`);
    }
    const fromRoot = relative(root, path);
    const name = isAbsolute(fromRoot) || fromRoot.startsWith("..") ? fromRoot : `./${fromRoot}`;
    return { path, name };
  });
}

/**
 * The `deno compile` arguments that build `output` from the DenoQueue folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileArgs } from "./compile.ts";
 *
 * const args = compileArgs([{ path: "/srv/denoqueue/mine.ts", name: "./mine.ts" }]);
 * assert.ok(args.includes("/srv/denoqueue/mine.ts"));
 * assert.equal(args.at(-1), "main.ts");
 * ```
 */
export function compileArgs(
  handlers: readonly CompiledHandler[],
  output = "dist/denoqueue",
): string[] {
  const includes = [...ENTRIES, ...handlers.map((handler) => handler.path)];
  return [
    "compile",
    "--quiet",
    ...RUN_FLAGS,
    ...includes.flatMap((path) => ["--include", path]),
    "-o",
    output,
    "main.ts",
  ];
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  let handlers: CompiledHandler[];
  try {
    // `deno task` runs in the DenoQueue folder and says in INIT_CWD where it was started.
    const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
    handlers = handlersToCompile(Deno.env.get("DENOQUEUE_HANDLERS") ?? "", cwd);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  await Deno.mkdir(`${ROOT}dist`, { recursive: true });
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: compileArgs(handlers),
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  await Deno.writeFile(`${ROOT}dist/compile.log`, stderr);
  if (code !== 0) {
    console.error(
      "deno task compile failed (details in dist/compile.log): deno compile downloads its " +
        "runtime from dl.deno.land, which must be reachable; without it, deno task bundle " +
        "builds the same program as files (README, One executable)",
    );
    return 1;
  }
  const names = handlers.map((handler) => handler.name).join(",");
  console.log(
    names === ""
      ? "Built dist/denoqueue"
      : `Built dist/denoqueue with ${names} compiled in: start it with --handlers ${names}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
