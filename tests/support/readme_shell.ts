/**
 * Runs README commands as written, through `sh`, on a machine as the README describes it: a PATH
 * with Node.js, npm and the basics but no global `deno`, and npm told of no global packages, so
 * `npx -y deno@VERSION` finds Deno only where npx itself fetches it (its cache, or the registry).
 * @module
 */

import { type ListeningProcess, startListening } from "./listening.ts";
import { within } from "./wait.ts";

/** What the commands find on their PATH: no deno among them. */
const BASICS = ["sh", "node", "npm", "npx", "curl", "ps", "systemd-analyze"];

/** The sandbox commands run in: their environment, and the folder it lives in. */
export interface Shell {
  folder: string;
  env: Record<string, string>;
}

/** A README server running in a process group of its own. */
export interface ShellServer extends ListeningProcess {
  command: string;
}

/**
 * Makes the sandbox under `folder`: a bin folder of links to {@linkcode BASICS}, an empty npm
 * prefix, and a `.curlrc` (read through CURL_HOME) that has curl print each answer's status on a
 * last line of its own, so the commands stay as written. Inherited `npm_*`, `DENOQUEUE_*` and
 * `PORT` are dropped; `extra` is added.
 */
export async function makeShell(folder: string, extra: Record<string, string>): Promise<Shell> {
  const bin = `${folder}/bin`;
  await Deno.mkdir(bin);
  await Deno.mkdir(`${folder}/npm-prefix`);
  for (const name of BASICS) await Deno.symlink(locate(name), `${bin}/${name}`);
  await Deno.writeTextFile(`${folder}/.curlrc`, 'write-out = "\\n%{http_code}"\n');
  const inherited = Object.entries(Deno.env.toObject()).filter(([name]) =>
    !/^(npm_|denoqueue_|port$)/i.test(name)
  );
  const env = {
    ...Object.fromEntries(inherited),
    PATH: bin,
    NPM_CONFIG_PREFIX: `${folder}/npm-prefix`,
    CURL_HOME: folder,
    NO_COLOR: "1",
    ...extra,
  };
  return { folder, env };
}

/** Where `name` is on this process's PATH. */
function locate(name: string): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* not here */ }
  }
  throw new Error(`${name} is not on the PATH; the README's commands need it`);
}

/** Runs `command` with `sh -c` in `cwd` to its end; its exit code and output. */
export async function runToEnd(
  shell: Shell,
  command: string,
  cwd: string,
  timeout: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await within(
    new Deno.Command(`${shell.env.PATH}/sh`, {
      args: ["-c", command],
      cwd,
      clearEnv: true,
      env: shell.env,
      stdin: "null",
    }).output(),
    command,
    timeout,
  );
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/**
 * Runs `command` (one that streams, as `curl -N`) until its output holds `marker`, then stops it
 * with SIGINT as Ctrl-C would; resolves with what it printed. Killed if that takes over `timeout`.
 */
export async function readStream(
  shell: Shell,
  command: string,
  marker: string,
  timeout: number,
): Promise<string> {
  const child = new Deno.Command(`${shell.env.PATH}/sh`, {
    args: ["-c", `exec ${command}`],
    clearEnv: true,
    env: shell.env,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let seen = "";
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const first = !seen.includes(marker);
      seen += chunk;
      if (first && seen.includes(marker)) child.kill("SIGINT");
    }
  })();
  try {
    await within(reading, command, timeout);
  } finally {
    try {
      child.kill("SIGKILL"); // only if it outlived the deadline
    } catch { /* it has ended */ }
    await child.status;
  }
  return seen;
}

/**
 * Starts `command` in a process group of its own (so that a failure can end all of it) and
 * resolves once it says where it listens.
 */
export async function startServer(
  shell: Shell,
  command: string,
  cwd: string,
  env: Record<string, string>,
  timeout: number,
): Promise<ShellServer> {
  const server = await startListening(locate("setsid"), {
    args: [`${shell.env.PATH}/sh`, "-c", `exec ${command}`],
    cwd,
    clearEnv: true,
    env: { ...shell.env, ...env },
  }, { timeout, kill: (child) => Deno.kill(-child.pid, "SIGKILL") });
  return { ...server, command };
}

/**
 * Stops `server` with SIGTERM: to its first process only (`npx`, as the README says a SIGTERM to
 * it stops the server), or to its whole group as a terminal or supervisor would. Resolves once
 * every process of it has closed its output; kills the group if that takes over 30 s.
 */
export async function stopServer(server: ShellServer, only: "first" | "group"): Promise<void> {
  Deno.kill(only === "first" ? server.child.pid : -server.child.pid, "SIGTERM");
  try {
    await within(server.closed, `${server.command} to stop`, 30_000);
  } catch (error) {
    try {
      Deno.kill(-server.child.pid, "SIGKILL");
    } catch { /* gone meanwhile */ }
    await server.closed;
    throw new Error(`${(error as Error).message}:\n${server.lines.join("\n")}`);
  }
}

/** Splits curl's output (with the `.curlrc` above) into the answer's body and status. */
export function curlAnswer(stdout: string): { body: string; status: number } {
  const cut = stdout.lastIndexOf("\n");
  return { body: stdout.slice(0, cut), status: Number(stdout.slice(cut + 1)) };
}
