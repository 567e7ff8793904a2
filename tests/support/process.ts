/**
 * Starts `main.ts` as its own process on a free port and reads its log, for process tests.
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url);
const CONFIG = new URL("../../deno.json", import.meta.url);

/** A running DenoQueue process. */
export interface ServiceProcess {
  child: Deno.ChildProcess;
  url: string;
  /** Every line the process printed so far, stdout and stderr. */
  lines: string[];
  /** Resolves with the exit status, once the process has exited and its output is read. */
  exited: Promise<Deno.CommandStatus>;
}

/** Runs `main.ts` with `args`; resolves when it listens, or rejects with its output. */
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
  const { promise: listening, resolve, reject } = Promise.withResolvers<string>();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const match = /listening on (https?:\/\/\S+)/.exec(line);
        if (match) resolve(match[1]);
      }
    }
    if (rest) lines.push(rest);
  };
  const reading = Promise.all([read(child.stdout), read(child.stderr)]);
  const exited = reading.then(() => child.status);
  exited.then((status) => reject(new Error(`exited with ${status.code}:\n${lines.join("\n")}`)));
  const timer = setTimeout(() => reject(new Error(`not listening after ${timeout} ms`)), timeout);
  try {
    const url = await listening;
    return { child, url, lines, exited };
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

/** Runs `main.ts` to completion with `args` and returns its exit code and output. */
export async function runService(args: string[]): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG.pathname, "--allow-all", MAIN.pathname, ...args],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}
