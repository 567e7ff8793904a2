/**
 * The job events of a cluster, for every node's live feed and throughput: each node gathers
 * its own events for a tick (100 ms) and sends them to the others as a few notices through the
 * store's broadcast; it hears theirs (never its own) and hands them to its listeners. Nothing
 * is sent in a quiet tick. A notice lost (a connection down) is a gap in a feed, never in the
 * stored jobs or counts, which are read from the store.
 * @module
 */

import type { JobEvent, JobEvents } from "../events.ts";
import { digestEvent } from "../observe/event_digest.ts";
import { defaultLogger, type Logger } from "../primitives/logger.ts";
import type { Broadcast } from "../store/broadcast.ts";
import { decodeNotice, encodeNotices, type EventBatch } from "./event_notices.ts";

/** The broadcast topic of job events. */
export const EVENTS_TOPIC = "events";

/** Told the events of another node's tick. */
export type EventBatchListener = (batch: EventBatch) => void;

/** What an {@linkcode EventFanout} works with. */
export interface EventFanoutDeps {
  broadcast: Broadcast;
  /** This node's id: its notices carry it, and it drops those that do. */
  node: string;
  events: JobEvents;
  /** How often gathered events are sent, in ms. Default 100. */
  tickMs?: number;
  /** Events listed per tick; beyond them only their count by type is sent. Default 100. */
  maxEvents?: number;
  /** Where a notice that cannot be sent is reported. Default: `defaultLogger()`. */
  logger?: Logger;
}

/**
 * @example
 * ```ts ignore
 * const fanout = new EventFanout({ broadcast: store.broadcast, node: queue.owner, events });
 * fanout.onBatch((batch) => console.log(batch.node, batch.events.length));
 * fanout.start();
 * await fanout.stop();
 * ```
 */
export class EventFanout {
  readonly tickMs: number;
  readonly maxEvents: number;
  #deps: EventFanoutDeps;
  #listeners = new Set<EventBatchListener>();
  #gathered: EventBatch;
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sending: Promise<void> | undefined;
  #stops: (() => void)[] = [];

  constructor(deps: EventFanoutDeps) {
    this.#deps = deps;
    this.tickMs = deps.tickMs ?? 100;
    this.maxEvents = deps.maxEvents ?? 100;
    this.#gathered = this.#empty();
  }

  /** Calls `listener` with each tick of another node. Returns the unsubscribe function. */
  onBatch(listener: EventBatchListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Gathers this node's events and listens to the others'. */
  start(): void {
    if (this.#timer !== undefined) return;
    const { broadcast, events } = this.#deps;
    this.#stops.push(
      events.on((event) => this.#gather(event)),
      broadcast.listen(EVENTS_TOPIC, (payload) => this.#hear(payload)),
    );
    this.#timer = setInterval(() => void this.flush(), this.tickMs);
  }

  /** Sends what is gathered, then stops listening. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const stop of this.#stops.splice(0)) stop();
    await this.flush();
  }

  /** Sends the events gathered since the last tick now (none: nothing is sent). */
  flush(): Promise<void> {
    const batch = this.#gathered;
    this.#gathered = this.#empty();
    const payloads = encodeNotices(batch, this.#seq + 1);
    if (payloads.length === 0) return this.#sending ?? Promise.resolve();
    this.#seq += payloads.length;
    // In order: a tick's notices go after the previous tick's.
    const previous = this.#sending ?? Promise.resolve();
    const sending = previous.then(() => this.#deps.broadcast.send(EVENTS_TOPIC, payloads))
      .catch((error) => {
        (this.#deps.logger ?? defaultLogger()).warn(
          "Could not send this node's job events to the other nodes (their live feeds miss them)",
          { error, events: batch.events.length },
        );
      })
      .finally(() => {
        if (this.#sending === sending) this.#sending = undefined;
      });
    this.#sending = sending;
    return sending;
  }

  #gather(event: JobEvent): void {
    const batch = this.#gathered;
    if (event.type === "completed") batch.finished.completed++;
    else if (event.type === "failed") batch.finished.failed++;
    if (batch.events.length < this.maxEvents) {
      batch.events.push(digestEvent(event, new Date().toISOString()));
    } else {
      batch.unlisted[event.type] = (batch.unlisted[event.type] ?? 0) + 1;
    }
  }

  #hear(payload: string): void {
    const batch = decodeNotice(payload);
    if (batch === undefined || batch.node === this.#deps.node) return;
    for (const listener of this.#listeners) listener(batch);
  }

  #empty(): EventBatch {
    return {
      node: this.#deps.node,
      events: [],
      unlisted: {},
      finished: { completed: 0, failed: 0 },
    };
  }
}
