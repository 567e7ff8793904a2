/**
 * Calls that share one transaction: while a batch is being written, the calls that arrive
 * gather for the next one (group commit: one round of statements and one commit for many
 * callers), and batches run one after another, so what was called first is written first.
 * @module
 */

/** How one call of a batch ended. */
export type Outcome<Out> = { ok: true; output: Out } | { ok: false; error: unknown };

interface Call<In, Out> {
  input: In;
  resolve(output: Out): void;
  reject(error: unknown): void;
}

/**
 * @example
 * ```ts
 * import { WriteLane } from "./write_lane.ts";
 * const lane = new WriteLane<number, number>((inputs) =>
 *   Promise.resolve(inputs.map((n) => ({ ok: true as const, output: n * 2 })))
 * );
 * await lane.run(21); // 42
 * ```
 */
export class WriteLane<In, Out> {
  #gathering: Call<In, Out>[] = [];
  #running = false;

  /**
   * `write` stores a batch and says how each call ended, in order; if it throws, every call
   * of the batch rejects with that error.
   */
  constructor(readonly write: (inputs: In[]) => Promise<Outcome<Out>[]>) {}

  /** Joins the next batch; settles once it is written. */
  run(input: In): Promise<Out> {
    const { promise, resolve, reject } = Promise.withResolvers<Out>();
    this.#gathering.push({ input, resolve, reject });
    if (!this.#running) {
      this.#running = true;
      // After this turn of the event loop: calls made in it share the first batch too.
      queueMicrotask(() => this.#drain());
    }
    return promise;
  }

  async #drain(): Promise<void> {
    while (this.#gathering.length > 0) {
      const calls = this.#gathering;
      this.#gathering = [];
      try {
        const outcomes = await this.write(calls.map((call) => call.input));
        outcomes.forEach((outcome, i) => {
          if (outcome.ok) calls[i].resolve(outcome.output);
          else calls[i].reject(outcome.error);
        });
      } catch (error) {
        for (const call of calls) call.reject(error);
      }
    }
    this.#running = false;
  }
}

/**
 * Writes each input on its own, in order (after the batch they made together failed): one that
 * fails fails alone. Once the store is out of reach (`unavailable`), those not written yet fail
 * with that error, untried, while those written already stand, and their callers are told so.
 *
 * @example
 * ```ts
 * import { eachAlone } from "./write_lane.ts";
 * const outcomes = await eachAlone([1, 2], (n) => Promise.resolve(n * 2), () => false);
 * // [{ ok: true, output: 2 }, { ok: true, output: 4 }]
 * ```
 */
export async function eachAlone<In, Out>(
  inputs: In[],
  write: (input: In) => Promise<Out>,
  unavailable: (error: unknown) => boolean,
): Promise<Outcome<Out>[]> {
  const outcomes: Outcome<Out>[] = [];
  for (const input of inputs) {
    try {
      outcomes.push({ ok: true, output: await write(input) });
    } catch (error) {
      outcomes.push({ ok: false, error });
      if (!unavailable(error)) continue;
      while (outcomes.length < inputs.length) outcomes.push({ ok: false, error });
      break;
    }
  }
  return outcomes;
}
