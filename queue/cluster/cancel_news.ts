/**
 * Cancellations told across the cluster: a node that cancels jobs (a cancel, a delete, a clear)
 * says so on the store's broadcast, and the others hear it at once, so that a job another node
 * holds ahead is dropped before it runs, and one it runs is aborted now. Without the news, that
 * node learns it only at its next lease renewal (a third of a lease later), which still stops a
 * job whose news was lost (a connection down).
 * @module
 */

import { defaultLogger, type Logger } from "../primitives/logger.ts";
import { type Broadcast, MAX_BROADCAST_BYTES } from "../store/broadcast.ts";

/** The broadcast topic of cancelled jobs. */
export const CANCEL_TOPIC = "cancelled";

/** What a {@linkcode CancelNews} works with. */
export interface CancelNewsDeps {
  broadcast: Broadcast;
  /** This node's id: its news carries it, and it drops its own. */
  node: string;
  /** Where news that cannot be sent is reported. Default: `defaultLogger()`. */
  logger?: Logger;
}

/** One message: the node that cancelled, and the ids of the jobs it cancelled. */
interface Notice {
  n: string;
  c: string[];
}

const encoder = new TextEncoder();

/**
 * @example
 * ```ts ignore
 * const news = new CancelNews({ broadcast: store.broadcast, node: queue.owner });
 * news.onCancelled((jobId) => pool.stop(jobId));
 * news.start();
 * news.announce("job-1");
 * await news.stop();
 * ```
 */
export class CancelNews {
  #deps: CancelNewsDeps;
  #listeners = new Set<(jobId: string) => void>();
  #gathered: string[] = [];
  #sending: Promise<void> | undefined;
  #unlisten: (() => void) | undefined;

  constructor(deps: CancelNewsDeps) {
    this.#deps = deps;
  }

  /** Calls `listener` with the id of every job another node cancelled. Returns the unsubscribe. */
  onCancelled(listener: (jobId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Listens to the other nodes' news. */
  start(): void {
    this.#unlisten ??= this.#deps.broadcast.listen(CANCEL_TOPIC, (payload) => this.#hear(payload));
  }

  /** Tells the other nodes that job `jobId` was cancelled here; those of one turn go together. */
  announce(jobId: string): void {
    this.#gathered.push(jobId);
    if (this.#gathered.length === 1) queueMicrotask(() => this.#send());
  }

  /** Stops listening, once the news gathered so far is sent. */
  async stop(): Promise<void> {
    this.#send();
    await this.#sending;
    this.#unlisten?.();
    this.#unlisten = undefined;
  }

  #send(): void {
    const ids = this.#gathered;
    if (ids.length === 0) return;
    this.#gathered = [];
    const payloads = encodeNotices(this.#deps.node, ids);
    // In order: a turn's news goes after the previous turn's.
    const previous = this.#sending ?? Promise.resolve();
    const sending = previous.then(() => this.#deps.broadcast.send(CANCEL_TOPIC, payloads))
      .catch((error) => {
        (this.#deps.logger ?? defaultLogger()).warn(
          "Could not tell the other nodes of cancelled jobs (they stop them at their next " +
            "lease renewal)",
          { error, jobs: ids.length },
        );
      })
      .finally(() => {
        if (this.#sending === sending) this.#sending = undefined;
      });
    this.#sending = sending;
  }

  #hear(payload: string): void {
    let notice: Partial<Notice>;
    try {
      notice = JSON.parse(payload);
    } catch {
      return;
    }
    if (notice.n === this.#deps.node || !Array.isArray(notice.c)) return;
    for (const jobId of notice.c) {
      if (typeof jobId !== "string") continue;
      for (const listener of this.#listeners) listener(jobId);
    }
  }
}

/** The payloads naming `ids`, each within the broadcast limit. */
function encodeNotices(node: string, ids: string[]): string[] {
  const payloads: string[] = [];
  const empty = encoder.encode(JSON.stringify({ n: node, c: [] })).length;
  let batch: string[] = [];
  let bytes = empty;
  for (const id of ids) {
    const size = encoder.encode(JSON.stringify(id)).length + 1;
    if (batch.length > 0 && bytes + size > MAX_BROADCAST_BYTES) {
      payloads.push(JSON.stringify({ n: node, c: batch }));
      batch = [];
      bytes = empty;
    }
    batch.push(id);
    bytes += size;
  }
  payloads.push(JSON.stringify({ n: node, c: batch }));
  return payloads;
}
