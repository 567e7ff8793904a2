/**
 * The benchmark's server: `main.ts` started as its own process on a free port, with its peak
 * memory read from `/proc`.
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
// The V8 flags `deno task start` passes, read from its command so the two never differ.
const V8_FLAGS = /--v8-flags=(\S+)/.exec(
  JSON.parse(Deno.readTextFileSync(CONFIG)).tasks.start.command,
)![1];

/** A DenoQueue server process. */
export interface BenchServer {
  url: string;
  pid: number;
  /** Peak resident memory so far (VmHWM), in MB. */
  peakRssMB(): number;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/** Starts `main.ts` with `args` (and `denoArgs` for Deno itself); resolves once it listens. */
export async function startServer(args: string[], denoArgs: string[] = []): Promise<BenchServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      CONFIG,
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      `--v8-flags=${Deno.env.get("BENCH_V8_FLAGS") ?? V8_FLAGS}`,
      ...denoArgs,
      MAIN,
      "--port",
      "0",
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let url = "";
  while (!url) {
    const { done, value } = await lines.read();
    if (done) throw new Error(`server exited before listening:\n${seen}`);
    seen += value;
    url = /listening on (http:\/\/\S+)/.exec(seen)?.[1] ?? "";
  }
  // Keep reading so the pipe never fills; into BENCH_SERVER_LOG if set (e.g. V8's --trace-gc).
  const draining = (async () => {
    const log = Deno.env.get("BENCH_SERVER_LOG");
    for (;;) {
      const { done, value } = await lines.read();
      if (done) break;
      if (log) Deno.writeTextFileSync(log, value, { append: true });
    }
  })();
  return {
    url,
    pid: child.pid,
    peakRssMB() {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      return Math.round(kb / 102.4) / 10;
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await draining;
    },
  };
}
