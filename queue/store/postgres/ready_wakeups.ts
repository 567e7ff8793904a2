/**
 * Wake-ups when jobs become ready, from any process sharing the schema: `LISTEN` on the
 * schema's channel (writes `pg_notify` in the transaction that made jobs ready, so a listener
 * hears only of what it can claim), plus a slow safety poll for a notification lost while the
 * listening connection was down. Nothing runs while nobody listens.
 * @module
 */

import type { ReadyListener } from "../store.ts";
import type { Sql } from "./connection.ts";
import { settlesWithin } from "../../primitives/settles_within.ts";

/** Milliseconds stopping waits for the server to confirm `UNLISTEN`. */
export const UNLISTEN_MS = 1_000;

/**
 * @example
 * ```ts ignore
 * const wakeups = new ReadyWakeups(sql, "denoqueue_ready", 5_000, pollReady);
 * const stop = wakeups.add((types) => console.log("ready:", types));
 * ```
 */
export class ReadyWakeups {
  #listeners = new Set<ReadyListener>();
  #listening: Promise<{ unlisten(): Promise<void> } | undefined> | undefined;
  #poll: ReturnType<typeof setInterval> | undefined;

  /**
   * `poll` says which types have queued jobs now (the safety poll's question), every `pollMs`.
   */
  constructor(
    readonly sql: Sql,
    readonly channel: string,
    readonly pollMs: number,
    readonly poll: () => Promise<string[]>,
  ) {}

  /** Calls `listener` whenever jobs become ready. Returns the unsubscribe function. */
  add(listener: ReadyListener): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) void this.#stop();
    };
  }

  /** Stops listening and polling. */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#stop();
  }

  #start(): void {
    // postgres.js keeps one connection for LISTEN and listens again after a reconnect; the
    // safety poll covers what was announced while it was down.
    // Once listening (at first, and again after each reconnect), a poll catches up with what
    // became ready while nobody listened.
    this.#listening = this.sql.listen(
      this.channel,
      (payload) => this.#tell(parse(payload)),
      () => this.#pollNow(),
    ).catch(() => undefined);
    const poll = setInterval(() => this.#pollNow(), this.pollMs);
    Deno.unrefTimer(poll);
    this.#poll = poll;
  }

  async #stop(): Promise<void> {
    clearInterval(this.#poll);
    this.#poll = undefined;
    const listening = this.#listening;
    this.#listening = undefined;
    // Bounded: a LISTEN or UNLISTEN waiting for a connection that is not back must not hold a
    // close up; the listening connection ends with the client anyway.
    await settlesWithin(
      (async () => await (await listening)?.unlisten())().catch(() => {}),
      UNLISTEN_MS,
    );
  }

  #pollNow(): void {
    this.poll().then((types) => types.length > 0 && this.#tell(types), () => {});
  }

  #tell(types: string[]): void {
    for (const listener of [...this.#listeners]) listener(types);
  }
}

/** The types a notification names (a JSON array), or none. */
function parse(payload: string): string[] {
  try {
    const types = JSON.parse(payload);
    return Array.isArray(types) ? types.filter((type) => typeof type === "string") : [];
  } catch {
    return [];
  }
}
