/**
 * Keeps SQLite's write-ahead log short from a worker thread. The store's own connection has
 * automatic checkpoints off (they would run inside a commit, on the event loop, with an fsync:
 * milliseconds of stall); every `everyCommits` commits this asks the worker for a passive
 * checkpoint, one at a time. Under steady writes the worker never catches up with the log's
 * end (frames arrive while it copies), so the log would never start over and would grow without
 * bound: once it passes `behindPages`, `onBehind` lets the store finish the job between two of
 * its own transactions, when only the frames written since the worker's pass are left to copy.
 * If the worker cannot run, the store goes back to automatic checkpoints.
 * @module
 */

import type { CheckpointReply, CheckpointRequest } from "./checkpoint_protocol.ts";

function workerUrl(): URL {
  const bundled = !import.meta.url.endsWith(".ts");
  return new URL(bundled ? "./checkpointer.js" : "./checkpointer.ts", import.meta.url);
}

/**
 * @example
 * ```ts ignore
 * const checkpointer = new WalCheckpointer("./data/denoqueue.db", fallBack, finishOnMain);
 * checkpointer.committed(); // after each commit
 * await checkpointer.close();
 * ```
 */
export class WalCheckpointer {
  #worker: Worker;
  #commits = 0;
  #done = 0;
  #inFlight = false;
  #failed = false;
  #closed: PromiseWithResolvers<void> | undefined;

  constructor(
    path: string,
    readonly onFailure: (reason: string) => void,
    readonly onBehind: () => void,
    readonly behindPages = 16_384,
    readonly everyCommits = 100,
  ) {
    this.#worker = new Worker(workerUrl(), { type: "module", name: "wal-checkpointer" });
    this.#worker.onmessage = (event: MessageEvent<CheckpointReply>) => {
      const message = event.data;
      if (message.kind === "done") {
        this.#inFlight = false;
        this.#done++;
        if (message.walPages >= this.behindPages) {
          this.onBehind();
        }
      } else if (message.kind === "failed") this.#fail(message.error);
      else this.#closed?.resolve();
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(event.message);
      this.#closed?.resolve();
    };
    this.#post({ kind: "open", path });
  }

  /** Checkpoints completed so far. */
  get done(): number {
    return this.#done;
  }

  /** Counts a commit; asks for a checkpoint every `everyCommits` of them. */
  committed(): void {
    if (this.#failed || ++this.#commits < this.everyCommits || this.#inFlight) return;
    this.#commits = 0;
    this.#inFlight = true;
    this.#post({ kind: "checkpoint" });
  }

  /** Closes the worker's connection and ends the worker. */
  async close(): Promise<void> {
    if (!this.#failed) {
      this.#closed = Promise.withResolvers<void>();
      this.#post({ kind: "close" });
      await this.#closed.promise;
    }
    this.#worker.terminate();
  }

  #post(message: CheckpointRequest): void {
    this.#worker.postMessage(message);
  }

  #fail(reason: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.onFailure(reason);
  }
}
