/**
 * Waiting for the pool to run nothing, with a deadline: what a drain does twice, before the
 * running jobs are aborted and after.
 * @module
 */

/**
 * @example
 * ```ts ignore
 * const idle = new IdleWait(() => pool.running);
 * await idle.wait(5_000); // resolves when nothing runs, or after 5 s
 * ```
 */
export class IdleWait {
  #waiting: (() => void)[] = [];

  /** `running` says how many jobs run now. */
  constructor(readonly running: () => number) {}

  /** Resolves once nothing runs (told by `check()`), or after `ms`. */
  async wait(ms: number): Promise<void> {
    if (this.running() === 0) return;
    const idle = new Promise<void>((resolve) => this.#waiting.push(resolve));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
    await Promise.race([idle, timeout]);
    clearTimeout(timer);
  }

  /** Ends the waits if nothing runs now: call it whenever jobs end. */
  check(): void {
    if (this.#waiting.length === 0 || this.running() > 0) return;
    this.release();
  }

  /** Ends every wait now. */
  release(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}
