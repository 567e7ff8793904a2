/**
 * Calls that share one transaction: while a batch is being written, the calls that arrive
 * gather for the next one (group commit: one round of statements and one commit for many
 * callers). A lane writes one batch at a time, so what was called first is written first; one
 * whose callers need no order among them may write a few batches at once, each on a connection
 * of its own, so that the next batch need not wait for the last one's commit.
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
  #writing = 0;
  #starting = false;

  /**
   * `write` stores a batch and says how each call ended, in order; if it throws, every call
   * of the batch rejects with that error. Up to `maxWrites` batches are written at once
   * (default 1: one after another, in the order they were called).
   */
  constructor(
    readonly write: (inputs: In[]) => Promise<Outcome<Out>[]>,
    readonly maxWrites = 1,
  ) {
    if (!Number.isInteger(maxWrites) || maxWrites < 1) {
      throw new RangeError(`maxWrites must be a positive integer, received ${maxWrites}`);
    }
  }

  /** Joins the next batch; settles once it is written. */
  run(input: In): Promise<Out> {
    const { promise, resolve, reject } = Promise.withResolvers<Out>();
    this.#gathering.push({ input, resolve, reject });
    this.#startSoon();
    return promise;
  }

  /**
   * Starts a batch after this turn of the event loop (calls made in it share it), if there is
   * room for one more write.
   */
  #startSoon(): void {
    if (this.#starting || this.#writing >= this.maxWrites || this.#gathering.length === 0) return;
    this.#starting = true;
    queueMicrotask(() => {
      this.#starting = false;
      void this.#writeGathered();
    });
  }

  async #writeGathered(): Promise<void> {
    const calls = this.#gathering;
    this.#gathering = [];
    this.#writing++;
    try {
      const outcomes = await this.write(calls.map((call) => call.input));
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) calls[i].resolve(outcome.output);
        else calls[i].reject(outcome.error);
      });
    } catch (error) {
      for (const call of calls) call.reject(error);
    } finally {
      this.#writing--;
      this.#startSoon();
    }
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
