/**
 * Hooks on the ways handler code can end its own worker on purpose, `close()` and `Deno.exit()`
 * (which `process.exit()` calls too): the worker gets a last word in before it ends, to send
 * what it has finished and say why it ends. Detection does not depend on these hooks (see
 * `lifeline.ts`); they only make the report exact. Installed before handler modules load.
 * @module
 */

/// <reference lib="deno.worker" />

/** Called just before the worker ends itself, with why (e.g. "a handler called close()"). */
export type LastWord = (reason: string) => void;

/**
 * Wraps `self.close` and `Deno.exit` so that `lastWord` runs first; each then ends the worker
 * as it would have.
 *
 * @example
 * ```ts ignore
 * hookExits((reason) => self.postMessage({ kind: "ending", reason }));
 * ```
 */
export function hookExits(lastWord: LastWord): void {
  const close = self.close.bind(self);
  const exit = Deno.exit.bind(Deno);
  let spoken = false;
  const speak = (reason: string) => {
    if (spoken) return;
    spoken = true;
    lastWord(reason);
  };
  self.close = () => {
    speak("a handler called close()");
    close();
  };
  Deno.exit = (code?: number): never => {
    speak(`a handler exited with code ${code ?? 0} (Deno.exit or process.exit)`);
    return exit(code);
  };
}
