/**
 * The live feed behind `GET /api/events`: job transitions and the stats every second, as
 * Server-Sent Events. Events from all jobs are gathered into one buffer and sent to every
 * client at most ten times a second; a burst larger than a message holds becomes a summary.
 * A client gets the whole stats once, then each second only what changed since the stats it
 * holds (the feed remembers them per client, so one that skipped a message is not lost).
 * It listens to the queue and runs timers only while someone is connected.
 * @module
 */

import type { EventBatch } from "../queue/cluster/event_notices.ts";
import type { JobEvent } from "../queue/events.ts";
import { digestEvent, type EventDigest } from "../queue/observe/event_digest.ts";
import type { PoolStats } from "../queue/pool/pool.ts";
import type { QueueStats } from "../queue/observe/queue_stats.ts";
import { defaultLogger, type Logger } from "../queue/primitives/logger.ts";
import type { Queue } from "../queue/queue.ts";
import { diffJson, type JsonDelta } from "./json_delta.ts";

/** One job transition as the feed sends it. */
export type FeedEvent = EventDigest;

/** The stats the feed sends: what `GET /api/stats` answers. */
export type FeedStats = QueueStats & { workers: PoolStats };

/**
 * A `stats-delta` message: what changed since the `stats` or `stats-delta` message whose SSE
 * `id` is `base`; applied to those stats it gives the stats of this message's `id`.
 */
export interface StatsDelta extends JsonDelta {
  base: number;
}

/** Options for {@linkcode LiveFeed}; durations in ms. */
export interface LiveFeedOptions {
  /** The queue; with `onRemoteEvents`, the feed shows the other nodes' jobs too. */
  queue: Pick<Queue, "events" | "stats"> & Partial<Pick<Queue, "onRemoteEvents">>;
  pool: { stats(): PoolStats };
  /** How often gathered events are sent. Default 100 (at most 10 messages a second). */
  flushInterval?: number;
  /** How often the stats (a delta, or a snapshot) are sent. Default 1,000. */
  statsInterval?: number;
  /** How often a comment keeps idle connections open. Default 15,000. */
  heartbeatInterval?: number;
  /** Events one message holds before the rest of a burst is summarised. Default 100. */
  maxEventsPerMessage?: number;
  /** Where a failure to read stats is logged. Default: {@linkcode defaultLogger}. */
  logger?: Logger;
}

const encoder = new TextEncoder();

type Client = ReadableStreamDefaultController<Uint8Array>;

/** The stats a client holds, and the id of the message that brought them. */
interface HeldStats {
  seq: number;
  stats: FeedStats;
}

/**
 * Whether a client reads what it is sent. One that does not keep up skips messages: it misses
 * those job events, and its stats catch up at a later tick, from the ones it holds.
 */
function keepsUp(client: Client): boolean {
  return (client.desiredSize ?? 1) > 0;
}

/**
 * @example
 * ```ts ignore
 * const feed = new LiveFeed({ queue, pool });
 * const stream = feed.connect();
 * feed.close();
 * ```
 */
export class LiveFeed {
  #options: Required<Omit<LiveFeedOptions, "queue" | "pool" | "logger">>;
  #logger: Logger;
  #queue: LiveFeedOptions["queue"];
  #pool: { stats(): PoolStats };
  /** Each client, with the stats it holds (none until its first snapshot is sent). */
  #clients = new Map<Client, HeldStats | undefined>();
  #buffer: FeedEvent[] = [];
  #overflow: Record<string, number> = {};
  #overflowCount = 0;
  #messageId = 0;
  #timers: ReturnType<typeof setInterval>[] = [];
  #unsubscribe: (() => void)[] = [];
  #closed = false;
  /**
   * Messages broadcast, by kind, since start: lets tests and ops see the rate. `stats` counts
   * the whole snapshots built (at connect, or for a client that has none yet), `statsDelta`
   * the deltas.
   */
  readonly sent = { jobs: 0, summary: 0, stats: 0, statsDelta: 0, heartbeat: 0 };

  constructor(options: LiveFeedOptions) {
    this.#queue = options.queue;
    this.#pool = options.pool;
    this.#logger = options.logger ?? defaultLogger();
    this.#options = {
      flushInterval: options.flushInterval ?? 100,
      statsInterval: options.statsInterval ?? 1000,
      heartbeatInterval: options.heartbeatInterval ?? 15_000,
      maxEventsPerMessage: options.maxEventsPerMessage ?? 100,
    };
  }

  /** Clients connected now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** A new client's stream: a `retry` hint and a stats snapshot at once, then the feed. */
  connect(): ReadableStream<Uint8Array> {
    let self: Client;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        self = controller;
        if (this.#closed) {
          controller.close();
          return;
        }
        this.#clients.set(controller, undefined);
        if (this.#clients.size === 1) this.#startListening();
        controller.enqueue(encoder.encode("retry: 2000\n\n"));
        this.#snapshot().then((stats) => {
          // Unless a stats tick got there first (it sends a client with none a snapshot).
          if (!this.#clients.has(controller) || this.#clients.get(controller)) return;
          const seq = ++this.#messageId;
          this.sent.stats++;
          controller.enqueue(this.#message("stats", stats, seq));
          this.#clients.set(controller, { seq, stats });
        }, (error) => this.#logger.error("Live feed could not read stats", { error }));
      },
      cancel: () => this.#drop(self),
    });
  }

  /** Ends every stream and stops: for shutdown. */
  close(): void {
    this.#closed = true;
    for (const controller of this.#clients.keys()) {
      try {
        controller.close();
      } catch { /* the client went away already */ }
    }
    this.#clients.clear();
    this.#stopListening();
  }

  #startListening(): void {
    this.#unsubscribe.push(
      this.#queue.events.on((event) => this.#gather(event)),
      this.#queue.onRemoteEvents?.((batch) => this.#gatherRemote(batch)) ?? (() => {}),
    );
    const { flushInterval, statsInterval, heartbeatInterval } = this.#options;
    this.#timers.push(
      setInterval(() => this.#flush(), flushInterval),
      setInterval(() => this.#sendStats(), statsInterval),
      setInterval(() => {
        this.sent.heartbeat++;
        this.#broadcast(encoder.encode(": heartbeat\n\n"));
      }, heartbeatInterval),
    );
  }

  #stopListening(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#buffer = [];
    this.#overflow = {};
    this.#overflowCount = 0;
  }

  #drop(controller: Client): void {
    this.#clients.delete(controller);
    if (this.#clients.size === 0) this.#stopListening();
  }

  #gather(event: JobEvent): void {
    if (this.#buffer.length < this.#options.maxEventsPerMessage) {
      this.#buffer.push(digestEvent(event, new Date().toISOString()));
    } else {
      this.#unlisted(event.type, 1);
    }
  }

  /** Another node's tick: its events as if they were this node's, its burst counted. */
  #gatherRemote(batch: EventBatch): void {
    for (const event of batch.events) {
      if (this.#buffer.length < this.#options.maxEventsPerMessage) this.#buffer.push(event);
      else this.#unlisted(event.event, 1);
    }
    for (const [type, count] of Object.entries(batch.unlisted)) this.#unlisted(type, count);
  }

  #unlisted(type: string, count: number): void {
    this.#overflow[type] = (this.#overflow[type] ?? 0) + count;
    this.#overflowCount += count;
  }

  #flush(): void {
    if (this.#buffer.length === 0) return;
    let message: Uint8Array;
    if (this.#overflowCount === 0) {
      message = this.#message("jobs", { events: this.#buffer });
      this.sent.jobs++;
    } else {
      // A burst: the counts of everything, and the latest state of the first jobs seen.
      const counts: Record<string, number> = { ...this.#overflow };
      for (const event of this.#buffer) counts[event.event] = (counts[event.event] ?? 0) + 1;
      message = this.#message("summary", {
        counts,
        total: this.#buffer.length + this.#overflowCount,
        sample: this.#buffer.slice(-20),
      });
      this.sent.summary++;
    }
    this.#buffer = [];
    this.#overflow = {};
    this.#overflowCount = 0;
    this.#broadcast(message);
  }

  /**
   * Sends each client what brings it to the current stats: the whole of them if it holds none,
   * else a delta from the stats it holds. Clients normally hold the same ones, so there is
   * one message per distinct base, shared.
   */
  async #sendStats(): Promise<void> {
    let stats: FeedStats;
    try {
      stats = await this.#snapshot();
    } catch (error) {
      this.#logger.error("Live feed could not read stats", { error });
      return;
    }
    const seq = ++this.#messageId;
    const messages = new Map<number | undefined, Uint8Array>();
    for (const [controller, held] of this.#clients) {
      // One that skips this message keeps its base (and costs no snapshot).
      if (!keepsUp(controller)) continue;
      let message = messages.get(held?.seq);
      if (message === undefined) {
        if (held === undefined) {
          message = this.#message("stats", stats, seq);
          this.sent.stats++;
        } else {
          const delta: StatsDelta = { base: held.seq, ...diffJson(held.stats, stats) };
          message = this.#message("stats-delta", delta, seq);
          this.sent.statsDelta++;
        }
        messages.set(held?.seq, message);
      }
      if (this.#send(controller, message)) this.#clients.set(controller, { seq, stats });
    }
  }

  async #snapshot(): Promise<FeedStats> {
    return { ...await this.#queue.stats(), workers: this.#pool.stats() };
  }

  #message(event: string, data: unknown, id = ++this.#messageId): Uint8Array {
    return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #broadcast(bytes: Uint8Array): void {
    for (const controller of this.#clients.keys()) this.#send(controller, bytes);
  }

  /** Queues `bytes` for `controller`; false if it skipped them (or is gone). */
  #send(controller: Client, bytes: Uint8Array): boolean {
    if (!keepsUp(controller)) return false;
    try {
      controller.enqueue(bytes);
      return true;
    } catch {
      this.#drop(controller);
      return false;
    }
  }
}
