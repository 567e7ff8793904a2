/**
 * The live feed: one `EventSource` on `/api/events` shared by every view, and the hooks that
 * read its stats and job events. The stats come whole at first, then as deltas, applied to
 * the copy held (`StatsReplica`). The browser reconnects by itself; the first message after
 * a reconnect is a fresh stats snapshot. A delta that does not follow the copy (a message was
 * missed) makes the feed reconnect, for a snapshot, rather than show stats that drifted.
 * An `EventSource` cannot read the status of a refused connection (a 401 once the session's
 * key is revoked), so the feed tells `onBroken` listeners each time it breaks, for the app to
 * ask the server whether the session still holds.
 * @module
 */

/// <reference lib="dom" />

import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { FeedEvent, FeedSummary, Stats, StatsDelta } from "./api_types.ts";
import { StatsReplica } from "./stats_replica.ts";

/** Whether the feed is flowing. */
export type LiveState = "connecting" | "open" | "reconnecting";

type Listener<T> = (value: T) => void;

/** Reconnects this long after the browser gave up on the stream (a non-stream answer). */
const RESTART_DELAY = 3000;

/**
 * @example
 * ```ts ignore
 * const feed = new LiveFeed("/api/events");
 * const off = feed.onStats((stats) => console.log(stats.byStatus));
 * feed.start();
 * off();
 * feed.stop();
 * ```
 */
export class LiveFeed {
  #url: string;
  #source: EventSource | undefined;
  #restart: ReturnType<typeof setTimeout> | undefined;
  #stats = new StatsReplica();
  #state: LiveState = "connecting";
  #statsListeners = new Set<Listener<Stats>>();
  #jobListeners = new Set<Listener<FeedEvent[]>>();
  #summaryListeners = new Set<Listener<FeedSummary>>();
  #stateListeners = new Set<Listener<LiveState>>();
  #brokenListeners = new Set<Listener<void>>();

  constructor(url: string) {
    this.#url = url;
  }

  /** The latest stats, once a snapshot arrived. */
  get stats(): Stats | undefined {
    return this.#stats.stats;
  }

  get state(): LiveState {
    return this.#state;
  }

  start(): void {
    if (this.#source !== undefined) return;
    const source = new EventSource(this.#url);
    this.#source = source;
    source.addEventListener("open", () => {
      // The feed sends only what happens from now on: whatever a view fetched before the
      // stream opened (at start, or while it was away) may be stale, so views refetch, as
      // after a burst.
      this.#emitSummary({ counts: {}, total: 0, sample: [] });
      this.#setState("open");
    });
    source.addEventListener("error", () => {
      // The stream broke: whatever comes next starts with a snapshot.
      this.#stats.reset();
      if (source.readyState === EventSource.CLOSED) {
        // The browser gives up on an answer that is not a stream: try again later ourselves.
        this.#source = undefined;
        this.#restart = setTimeout(() => this.start(), RESTART_DELAY);
      }
      this.#setState("reconnecting");
      for (const listener of this.#brokenListeners) listener();
    });
    source.addEventListener("stats", (message) => {
      const { data, lastEventId } = message as MessageEvent<string>;
      this.#emitStats(this.#stats.snapshot(Number(lastEventId), JSON.parse(data) as Stats));
    });
    source.addEventListener("stats-delta", (message) => {
      const { data, lastEventId } = message as MessageEvent<string>;
      const stats = this.#stats.delta(Number(lastEventId), JSON.parse(data) as StatsDelta);
      if (stats !== undefined) this.#emitStats(stats);
      else this.#resync();
    });
    source.addEventListener("jobs", (message) => {
      const { events } = JSON.parse((message as MessageEvent<string>).data) as {
        events: FeedEvent[];
      };
      for (const listener of this.#jobListeners) listener(events);
    });
    source.addEventListener("summary", (message) => {
      this.#emitSummary(JSON.parse((message as MessageEvent<string>).data) as FeedSummary);
    });
  }

  stop(): void {
    clearTimeout(this.#restart);
    this.#source?.close();
    this.#source = undefined;
  }

  onStats(listener: Listener<Stats>): () => void {
    return subscribe(this.#statsListeners, listener);
  }

  onJobs(listener: Listener<FeedEvent[]>): () => void {
    return subscribe(this.#jobListeners, listener);
  }

  onSummary(listener: Listener<FeedSummary>): () => void {
    return subscribe(this.#summaryListeners, listener);
  }

  onState(listener: Listener<LiveState>): () => void {
    return subscribe(this.#stateListeners, listener);
  }

  /** Called each time the stream breaks or is refused (the browser cannot say which). */
  onBroken(listener: Listener<void>): () => void {
    return subscribe(this.#brokenListeners, listener);
  }

  /** Reconnects now: the server's first message on a new stream is a whole snapshot. */
  #resync(): void {
    this.stop();
    this.#setState("reconnecting");
    this.start();
  }

  #emitStats(stats: Stats): void {
    for (const listener of this.#statsListeners) listener(stats);
  }

  #emitSummary(summary: FeedSummary): void {
    for (const listener of this.#summaryListeners) listener(summary);
  }

  #setState(state: LiveState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }
}

function subscribe<T>(listeners: Set<Listener<T>>, listener: Listener<T>): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The app's one feed; `App` provides it. */
export const LiveContext = createContext<LiveFeed | null>(null);

function useFeed(): LiveFeed {
  const feed = useContext(LiveContext);
  if (feed === null) throw new Error("useFeed() needs a LiveContext provider");
  return feed;
}

/** The latest stats; re-renders as they change (at most about every second). */
export function useLiveStats(): Stats | undefined {
  const feed = useFeed();
  const [stats, setStats] = useState(feed.stats);
  useEffect(() => feed.onStats(setStats), [feed]);
  return stats;
}

/** Whether the feed is connected. */
export function useLiveState(): LiveState {
  const feed = useFeed();
  const [state, setState] = useState(feed.state);
  useEffect(() => feed.onState(setState), [feed]);
  return state;
}

/**
 * Calls `onEvents` with each batch of job events, and `onSummary` after a burst and each time
 * the stream (re)opens (when the caller should refetch what it shows). The latest callbacks are used; subscribes once.
 */
export function useJobEvents(
  onEvents: (events: FeedEvent[]) => void,
  onSummary: (summary: FeedSummary) => void,
): void {
  const feed = useFeed();
  const handlers = useRef({ onEvents, onSummary });
  handlers.current = { onEvents, onSummary };
  useEffect(() => {
    const offJobs = feed.onJobs((events) => handlers.current.onEvents(events));
    const offSummary = feed.onSummary((summary) => handlers.current.onSummary(summary));
    return () => {
      offJobs();
      offSummary();
    };
  }, [feed]);
}
