/**
 * The resident memory of a process (VmRSS in `/proc/PID/status`, Linux), for process tests
 * that show memory coming back.
 * @module
 */

/** Resident set size of process `pid` in MB. */
export function rssMB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (kb === null) throw new Error(`No VmRSS for process ${pid}`);
  return Number(kb[1]) / 1024;
}

/** Samples `rssMB(pid)` every 20 ms until stopped; `peak` is the highest seen. */
export function sampleRss(pid: number): { readonly peak: number; stop(): void } {
  let peak = rssMB(pid);
  const timer = setInterval(() => peak = Math.max(peak, rssMB(pid)), 20);
  return {
    get peak() {
      return peak;
    },
    stop: () => clearInterval(timer),
  };
}
