/**
 * What `deno task compile` asks of `deno compile`: the worker entries and the handler modules
 * named by DENOQUEUE_HANDLERS compiled in, named as `--handlers` takes them in the executable.
 * (Running `deno compile` itself needs its runtime download, which this machine cannot reach.)
 */

import assert from "node:assert/strict";
import { compileArgs, handlersToCompile } from "../../deploy/compile.ts";

const ROOT = "/home/ada/denoqueue/";
const FILES = new Set(["/home/ada/denoqueue/my_handlers.ts", "/home/ada/jobs/billing.ts"]);
const exists = (path: string) => FILES.has(path);

Deno.test("handlersToCompile() resolves each path from where the task ran, named from the root", () => {
  assert.deepEqual(
    handlersToCompile(" ./my_handlers.ts, ../jobs/billing.ts", ROOT, ROOT, exists),
    [
      { path: "/home/ada/denoqueue/my_handlers.ts", name: "./my_handlers.ts" },
      { path: "/home/ada/jobs/billing.ts", name: "../jobs/billing.ts" },
    ],
  );
  assert.deepEqual(
    handlersToCompile("billing.ts", "/home/ada/jobs", ROOT, exists).map((h) => h.name),
    ["../jobs/billing.ts"],
  );
  assert.deepEqual(handlersToCompile("", ROOT, ROOT, exists), []);
});

Deno.test("handlersToCompile() refuses a missing file or a URL, naming the variable", () => {
  assert.throws(
    () => handlersToCompile("./my_handlers.ts,./nope.ts", ROOT, ROOT, exists),
    new TypeError("Invalid DENOQUEUE_HANDLERS: no such file /home/ada/denoqueue/nope.ts"),
  );
  assert.throws(
    () => handlersToCompile("https://example.com/h.ts", ROOT, ROOT, exists),
    /^TypeError: Invalid DENOQUEUE_HANDLERS: "https:\/\/example\.com\/h\.ts" must be a file path/,
  );
});

Deno.test("compileArgs() includes the worker entries and every handler module", () => {
  const args = compileArgs([{ path: "/home/ada/jobs/billing.ts", name: "../jobs/billing.ts" }]);
  const included = args.flatMap((arg, i) => args[i - 1] === "--include" ? [arg] : []);
  assert.deepEqual(included, [
    "queue/pool/worker.ts",
    "queue/store/sqlite/checkpointer.ts",
    "/home/ada/jobs/billing.ts",
  ]);
  assert.deepEqual(args.slice(-3), ["-o", "dist/denoqueue", "main.ts"]);
  for (const flag of ["--allow-net", "--allow-read", "--allow-write", "--allow-env"]) {
    assert.ok(args.includes(flag), flag);
  }
});
