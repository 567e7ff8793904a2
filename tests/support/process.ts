/**
 * Starts `main.ts` as its own process on a free port and reads its log, for process tests.
 * @module
 */

import { waitFor } from "./wait.ts";

const MAIN = new URL("../../main.ts", import.meta.url);
const CONFIG = new URL("../../deno.json", import.meta.url);

/** A running DenoQueue process. */
export interface ServiceProcess {
  child: Deno.ChildProcess;
  url: string;
  /** Every line the process printed so far, stdout and stderr. */
  lines: string[];
  /** The lines it printed on stdout alone: its log. */
  stdout: string[];
  /** Resolves with the exit status, once the process has exited and its output is read. */
  exited: Promise<Deno.CommandStatus>;
}

/**
 * Runs `main.ts` with `args`; resolves when it listens, or rejects with its output. With
 * `--port 0` (the default) it learns the port from the log; given a port (from
 * {@linkcode freePort}), it asks `/healthz` instead, for a log level that hides that line.
 */
export async function startService(args: string[], timeout = 20_000): Promise<ServiceProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      CONFIG.pathname,
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      MAIN.pathname,
      "--port",
      "0",
      // A fresh database per process unless the test names one.
      ...(args.some((arg) => arg.startsWith("--store")) ? [] : ["--store", "memory"]),
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines: string[] = [];
  const stdout: string[] = [];
  const { promise: listening, resolve, reject } = Promise.withResolvers<string>();
  const read = async (stream: ReadableStream<Uint8Array>, also?: string[]) => {
    let rest = "";
    const keep = (line: string) => {
      lines.push(line);
      also?.push(line);
    };
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        keep(line);
        const match = /listening on (https?:\/\/\S+)/.exec(line);
        if (match) resolve(match[1]);
      }
    }
    if (rest) keep(rest);
  };
  const reading = Promise.all([read(child.stdout, stdout), read(child.stderr)]);
  let ended = false;
  const exited = reading.then(() => child.status).finally(() => ended = true);
  const port = Number(args[args.lastIndexOf("--port") + 1] ?? 0);
  if (args.includes("--port") && port > 0) {
    const url = `http://127.0.0.1:${port}`;
    waitFor(async () => ended || await healthy(url), { timeout, interval: 20 })
      .then(() => resolve(url), () => {});
  }
  exited.then((status) => reject(new Error(`exited with ${status.code}:\n${lines.join("\n")}`)));
  const timer = setTimeout(() => reject(new Error(`not listening after ${timeout} ms`)), timeout);
  try {
    const url = await listening;
    return { child, url, lines, stdout, exited };
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await exited;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A TCP port free on 127.0.0.1 now (free it stays, unless another process takes it first). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Whether `url/healthz` answers 200 now. */
async function healthy(url: string): Promise<boolean> {
  try {
    const answer = await fetch(`${url}/healthz`);
    await answer.body?.cancel();
    return answer.ok;
  } catch {
    return false;
  }
}

/**
 * The message of a log line: the `msg` of a JSON line (what the service writes when its
 * output is not a terminal), or the line itself.
 */
export function logMessage(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const { msg } = JSON.parse(line);
    return typeof msg === "string" ? msg : line;
  } catch {
    return line;
  }
}

/**
 * Runs `main.ts` to completion with `args` (and `permissions`, default `--allow-all`) and
 * returns its exit code and output.
 */
export async function runService(
  args: string[],
  permissions: string[] = ["--allow-all"],
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG.pathname, ...permissions, MAIN.pathname, ...args],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}
