/**
 * The live feed: one `EventSource` on `/api/events` shared by every view, and the hooks that
 * read its stats snapshots and job events. The browser reconnects by itself; the first
 * message after a reconnect is a fresh stats snapshot.
 * @module
 */

/// <reference lib="dom" />

import { createContext } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import type { FeedEvent, FeedSummary, Stats } from "./api_types.ts";

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
  #stats: Stats | undefined;
  #state: LiveState = "connecting";
  #statsListeners = new Set<Listener<Stats>>();
  #jobListeners = new Set<Listener<FeedEvent[]>>();
  #summaryListeners = new Set<Listener<FeedSummary>>();
  #stateListeners = new Set<Listener<LiveState>>();

  constructor(url: string) {
    this.#url = url;
  }

  /** The latest stats snapshot, once one arrived. */
  get stats(): Stats | undefined {
    return this.#stats;
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
      if (source.readyState === EventSource.CLOSED) {
        // The browser gives up on an answer that is not a stream: try again later ourselves.
        this.#source = undefined;
        this.#restart = setTimeout(() => this.start(), RESTART_DELAY);
      }
      this.#setState("reconnecting");
    });
    source.addEventListener("stats", (message) => {
      this.#stats = JSON.parse((message as MessageEvent<string>).data) as Stats;
      for (const listener of this.#statsListeners) listener(this.#stats);
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

/** The latest stats snapshot; re-renders on each one (about every second). */
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
