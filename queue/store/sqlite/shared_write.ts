/**
 * Calls that arrive in one turn of the event loop and share one statement: many single-job
 * enqueues become one multi-row INSERT (a row costs a fifth as much that way). The first call
 * of a commit registers one write with the `GroupCommit`; the others join it until it runs. If
 * the shared write fails, each call is redone alone in a savepoint, so a bad call fails alone
 * and the others are stored, as if each had been its own write.
 * @module
 */

import { asStoreError, type GroupCommit, type OnCommit } from "./group_commit.ts";

interface Call<In, Out> {
  input: In;
  resolve(output: Out): void;
  reject(error: unknown): void;
}

type Outcome<Out> = { ok: true; output: Out } | { ok: false; error: unknown };

/**
 * @example
 * ```ts ignore
 * const inserts = new SharedWrite(writes, (batches, onCommit) => insertAll(batches));
 * const jobs = await inserts.run(jobsOfOneRequest);
 * ```
 */
export class SharedWrite<In, Out> {
  #gathering: Call<In, Out>[] | undefined;

  /** `write` does the work for several inputs and returns one output per input, in order. */
  constructor(
    readonly writes: GroupCommit,
    readonly write: (inputs: In[], onCommit: OnCommit) => Out[],
  ) {}

  /** Joins the write of the next commit; settles after it commits. */
  run(input: In): Promise<Out> {
    const { promise, resolve, reject } = Promise.withResolvers<Out>();
    const call = { input, resolve, reject };
    if (this.#gathering !== undefined) {
      this.#gathering.push(call);
      return promise;
    }
    const calls = [call];
    this.#gathering = calls;
    this.writes.run((onCommit) => {
      this.#gathering = undefined;
      return this.#writeAll(calls, onCommit);
    }).then(
      (outcomes) =>
        outcomes.forEach((outcome, i) => {
          if (outcome.ok) calls[i].resolve(outcome.output);
          else calls[i].reject(outcome.error);
        }),
      (error) => {
        for (const { reject } of calls) reject(error);
      },
    );
    return promise;
  }

  #writeAll(calls: Call<In, Out>[], onCommit: OnCommit): Outcome<Out>[] {
    if (calls.length === 1) {
      // Alone, its failure is the write's own: the group commit reports it.
      return [{ ok: true, output: this.write([calls[0].input], onCommit)[0] }];
    }
    const inputs = calls.map((call) => call.input);
    const effects: (() => void)[] = [];
    try {
      const outputs = this.writes.inSavepoint(() =>
        this.write(inputs, (effect) => effects.push(effect))
      );
      for (const effect of effects) onCommit(effect);
      return outputs.map((output) => ({ ok: true, output }));
    } catch {
      // Undone; each call again on its own below.
    }
    return inputs.map((input) => {
      const mine: (() => void)[] = [];
      try {
        const [output] = this.writes.inSavepoint(() =>
          this.write([input], (effect) => mine.push(effect))
        );
        for (const effect of mine) onCommit(effect);
        return { ok: true, output };
      } catch (error) {
        return { ok: false, error: asStoreError(error) };
      }
    });
  }
}
