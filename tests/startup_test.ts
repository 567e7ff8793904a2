/**
 * Start-up refusals a new user meets in the first hour: each is one line naming what is wrong
 * (the file, the job type, the port) and exits with code 2, never a stack trace.
 */

import assert from "node:assert/strict";
import { runService } from "./support/process.ts";

/** Writes a handler module into a new folder and returns its path. */
function moduleFile(source: string): string {
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-startup-" })}/handlers.ts`;
  Deno.writeTextFileSync(path, source);
  return path;
}

const MOD = new URL("../queue/mod.ts", import.meta.url).href;

/**
 * Runs the service with `args` and a memory store (and `permissions`, default all); asserts
 * exit 2 and one line matching.
 */
async function assertRefusedAtStart(
  args: string[],
  line: RegExp,
  permissions?: string[],
): Promise<string> {
  const { code, output } = await runService(
    ["--store", "memory", "--port", "0", ...args],
    permissions,
  );
  const lines = output.trim().split("\n");
  assert.equal(code, 2, output);
  assert.equal(lines.length, 1, `one line, no stack trace:\n${output}`);
  assert.match(lines[0], line);
  return lines[0];
}

Deno.test("main.ts refuses a --handlers file that does not exist, naming it", async () => {
  const missing = `${Deno.makeTempDirSync()}/nope.ts`;
  await assertRefusedAtStart(
    ["--handlers", missing],
    new RegExp(`^Cannot load the handler module ${missing}: no such file$`),
  );
});

Deno.test("main.ts refuses a handler module with a syntax error, naming it", async () => {
  const path = moduleFile("export const broken = ;\n");
  await assertRefusedAtStart(
    ["--handlers", path],
    new RegExp(`^Cannot load the handler module ${path}: .+`),
  );
});

Deno.test("main.ts refuses a handler module that exports no handler, naming it", async () => {
  const path = moduleFile("export const answer = 42;\n");
  await assertRefusedAtStart(
    ["--handlers", path],
    new RegExp(`^Handler module ${path} exports no handler`),
  );
});

Deno.test("main.ts refuses a handler module that defines a built-in type, naming both", async () => {
  const path = moduleFile(
    `import { defineHandler, z } from "${MOD}";\n` +
      `export const email = defineHandler({ type: "email", payload: z.unknown(), run: () => 1 });\n`,
  );
  await assertRefusedAtStart(
    ["--handlers", path],
    new RegExp(
      `^The handler module ${path} defines the job type "email", which is built in: choose another name$`,
    ),
  );
});

Deno.test("main.ts refuses a handler module whose top level uses a permission, saying where to", async () => {
  const path = moduleFile(
    `import { defineHandler, z } from "${MOD}";\n` +
      `const key = Deno.env.get("MAIL_KEY");\n` +
      `export const mail = defineHandler({ type: "mail", payload: z.unknown(), ` +
      `permissions: { env: ["MAIL_KEY"] }, run: () => key });\n`,
  );
  await assertRefusedAtStart(
    ["--handlers", path],
    new RegExp(
      `^Cannot load the handler module ${path}: NotCapable: Requires env access to "MAIL_KEY" ` +
        "at its top level \\(a module's top level runs with no permissions while DenoQueue " +
        "reads its job types: use the environment, files and network inside run, declared " +
        "in permissions\\)$",
    ),
  );
});

Deno.test("main.ts refuses a handler that declares what it cannot be given, naming the flag", async () => {
  const path = moduleFile(
    `import { defineHandler, z } from "${MOD}";\n` +
      `export const resize = defineHandler({ type: "resize", payload: z.unknown(), ` +
      `permissions: { run: ["convert"] }, run: () => 1 });\n`,
  );
  // The permissions of the start task, which runs only ps.
  const startTask = [
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-run=ps",
  ];
  await assertRefusedAtStart(
    ["--handlers", path],
    /^The job type\(s\) resize declare run: "convert", which the server itself was not allowed: start it with --allow-run=convert$/,
    startTask,
  );
});

Deno.test("main.ts refuses a permission defineHandler does not know, naming it", async () => {
  const path = moduleFile(
    `import { defineHandler, z } from "${MOD}";\n` +
      `export const native = defineHandler({ type: "native", payload: z.unknown(), ` +
      `permissions: { ffi: true }, run: () => 1 });\n`,
  );
  await assertRefusedAtStart(
    ["--handlers", path],
    new RegExp(
      `^Cannot load the handler module ${path}: permissions\\.ffi of native is not a ` +
        "permission a handler can declare \\(net, read, write, env, run, sys\\)$",
    ),
  );
});

Deno.test("main.ts refuses a port in use, naming it", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = taken.addr as Deno.NetAddr;
    const { code, output } = await runService(["--store", "memory", "--port", String(port)]);
    assert.equal(code, 2, output);
    const lines = output.trim().split("\n");
    assert.equal(lines.length, 1, output);
    assert.match(
      lines[0],
      new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`),
    );
  } finally {
    taken.close();
  }
});
