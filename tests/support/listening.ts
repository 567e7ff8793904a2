/**
 * Starts a server process of any kind (a README command, a container's entry point) and waits
 * for the line that says where it listens, keeping everything it prints.
 * @module
 */

import { deadline } from "./wait.ts";

/** A server process a test started. */
export interface ListeningProcess {
  child: Deno.ChildProcess;
  /** The port its `listening on` line named. */
  port: number;
  /** Every line it (and any process that shares its output) printed so far. */
  lines: string[];
  /** Resolves once it has exited and its output is closed: every process holding it is gone. */
  closed: Promise<Deno.CommandStatus>;
}

/**
 * Spawns `program` with `options` (stdout and stderr piped, stdin closed) and resolves once a
 * line says `listening on http://HOST:PORT` (or `listening on PORT`); rejects with the output if
 * it exits first or `timeout` ms pass, after killing it with `kill` (default: SIGKILL to it alone;
 * pass one that reaches its descendants if they share its output).
 */
export async function startListening(
  program: string,
  options: Omit<Deno.CommandOptions, "stdout" | "stderr" | "stdin">,
  { timeout, kill = (child: Deno.ChildProcess) => child.kill("SIGKILL") }: {
    timeout: number;
    kill?: (child: Deno.ChildProcess) => void;
  },
): Promise<ListeningProcess> {
  const child = new Deno.Command(program, {
    ...options,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const lines: string[] = [];
  const { promise: listening, resolve, reject } = Promise.withResolvers<number>();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const port = /listening on (?:http:\/\/[^\s/]+:)?(\d+)/.exec(line)?.[1];
        if (port) resolve(Number(port));
      }
    }
    if (rest) lines.push(rest);
  };
  const closed = Promise.all([read(child.stdout), read(child.stderr)]).then(() => child.status);
  closed.then((status) => reject(new Error(`exited with ${status.code}:\n${lines.join("\n")}`)));
  try {
    const port = await deadline(listening, { timeout, message: `${program} to listen` });
    return { child, port, lines, closed };
  } catch (error) {
    try {
      kill(child);
    } catch { /* already gone */ }
    await closed;
    throw new Error(`${(error as Error).message}\n${lines.join("\n")}`);
  }
}
