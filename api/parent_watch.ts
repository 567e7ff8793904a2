/**
 * Stopping with the process that started us. `npx … task start` runs npm, a shell, `deno task`
 * and then this process; a SIGTERM to npm's PID ends npm and the shell, but `deno task` and the
 * server live on, holding the port and the database. Where the system says who a process's
 * parent is (Linux's /proc), this notices the ancestor going and asks for a clean stop.
 * @module
 */

/**
 * The parent of `pid`: from /proc where Deno may read it (with all permissions), else from
 * `ps` where it may run it (the start task allows `ps` alone; asked without blocking the event
 * loop); `undefined` where neither.
 */
async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // The command name may hold spaces and parentheses: the fields after the last ")" are fixed.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch { /* not readable here: ask ps */ }
  try {
    const { success, stdout } = await new Deno.Command("ps", {
      args: ["-o", "ppid=", "-p", String(pid)],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(stdout).trim();
    return success && /^\d+$/.test(text) ? Number(text) : 1;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` once one of this process's first `levels` ancestors (1: the parent) is gone,
 * checking every `intervalMs`. Resolves, once the ancestors are read, with a function that stops
 * watching: an ancestor that goes from then on is noticed, so await it before saying the server
 * is ready. Watches nothing where ancestors cannot be read, or fewer than `levels` come before init.
 *
 * @example
 * ```ts ignore
 * const stop = await watchAncestors(2, () => shutdown("parent gone"));
 * ```
 */
export async function watchAncestors(
  levels: number,
  onGone: () => void,
  intervalMs = 1_000,
): Promise<() => void> {
  const chain: number[] = [];
  let pid: number | undefined = Deno.pid;
  for (let level = 0; level < levels; level++) {
    pid = await parentOf(pid);
    if (pid === undefined || pid <= 1) return () => {}; // nothing to watch here
    chain.push(pid);
  }
  // Gone when a link of the chain has another parent (an orphan is adopted by init).
  const links = [Deno.pid, ...chain.slice(0, -1)];
  let checking = false;
  let stopped = false;
  const timer = setInterval(async () => {
    if (checking) return;
    checking = true;
    const parents = await Promise.all(links.map(parentOf));
    checking = false;
    if (stopped || parents.every((parent, i) => parent === chain[i])) return;
    stop();
    onGone();
  }, intervalMs);
  Deno.unrefTimer(timer);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
