/**
 * Runs a script in its own Deno process and returns what it printed. For the few tests whose
 * subject makes Deno itself print an error (a worker that dies of an uncaught error, an entry
 * that cannot load): kept out of the suite's output, and asserted on instead of ignored.
 * @module
 */

const CONFIG = new URL("../../deno.json", import.meta.url);

/** What an isolated script printed, and how it exited. */
export interface IsolatedRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` (a module URL) with every permission; resolves once it has exited. */
export async function runIsolated(script: URL, timeoutMs = 30_000): Promise<IsolatedRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG.pathname, "--allow-all", script.pathname],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}
