/**
 * The resident memory of another process, for process tests that show memory coming back.
 * Read with `ps` (the test task allows running it; reading `/proc/PID/status` directly would
 * need every permission).
 * @module
 */

/** Resident set size of process `pid` in MB. */
export async function rssMB(pid: number): Promise<number> {
  const { success, stdout } = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const kb = Number(new TextDecoder().decode(stdout).trim());
  if (!success || !Number.isFinite(kb) || kb <= 0) throw new Error(`No RSS for process ${pid}`);
  return kb / 1024;
}

/** Samples `rssMB(pid)` until stopped; `stop()` resolves with the highest seen. */
export function sampleRss(pid: number): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      peak = Math.max(peak, await rssMB(pid));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await sampling;
      return peak;
    },
  };
}
