/**
 * Ready jobs in memory, one line per type in the order they became ready, for a store that
 * keeps its queued jobs at hand. A claim for a few types reads only their lines, never past the
 * jobs of other types; a claim for any type merges the heads of every line. An entry removed
 * before its turn is skipped when reached, so a removal costs one `Map` lookup.
 * @module
 */

import { MinHeap } from "../primitives/min_heap.ts";

/** Lines of removed or taken entries are copied down past this many stale slots. */
const COMPACT_AFTER = 1024;

interface Entry<K, T> {
  /** When it became ready, across every type: what the merge of lines orders by. */
  readonly order: number;
  readonly key: K;
  readonly value: T;
  readonly line: Line<K, T>;
  /** False once taken or removed. */
  live: boolean;
}

/** One type's entries, oldest first; the ones before `head` are gone. */
class Line<K, T> {
  entries: Entry<K, T>[] = [];
  head = 0;
  /** Removed entries at or after `head`, skipped when reached. */
  removed = 0;
  /** Whether the heap of heads holds this line (once, at an order no later than its head). */
  inHeads = false;

  /** The oldest live entry, passing removed ones. */
  peek(): Entry<K, T> | undefined {
    const entries = this.entries;
    while (this.head < entries.length) {
      const entry = entries[this.head];
      if (entry.live) return entry;
      this.head++;
      this.removed--;
    }
    return undefined;
  }

  /** Copies the live entries down once stale slots outnumber them. */
  compact(): void {
    const stale = this.head + this.removed;
    if (stale <= COMPACT_AFTER || stale * 2 <= this.entries.length) return;
    this.entries = this.removed === 0
      ? this.entries.slice(this.head)
      : this.entries.slice(this.head).filter((entry) => entry.live);
    this.head = 0;
    this.removed = 0;
  }
}

/**
 * Values by key, each under a type, taken oldest first: of every type, or of some.
 *
 * @example
 * ```ts
 * import { TypedReadyList } from "./typed_ready_list.ts";
 * const ready = new TypedReadyList<string, string>();
 * ready.add("email", "a", "a");
 * ready.add("resize", "b", "b");
 * ready.add("email", "c", "c");
 * ready.take(10, ["resize"]); // ["b"]
 * ready.take(10); // ["a", "c"]
 * ```
 */
export class TypedReadyList<K, T> {
  #byKey = new Map<K, Entry<K, T>>();
  #lines = new Map<string, Line<K, T>>();
  /** Each non-empty line's head order (or an earlier, stale one), for takes of any type. */
  #heads = new MinHeap<{ order: number; line: Line<K, T> }>((a, b) => a.order - b.order);
  #order = 0;

  /** Entries held. */
  get size(): number {
    return this.#byKey.size;
  }

  /**
   * Adds `value` under `key` as the newest entry of `type`. A key held already is removed
   * first: it became ready again, so it goes to the back.
   */
  add(type: string, key: K, value: T): void {
    this.remove(key);
    let line = this.#lines.get(type);
    if (line === undefined) this.#lines.set(type, line = new Line());
    const entry: Entry<K, T> = { order: ++this.#order, key, value, line, live: true };
    line.entries.push(entry);
    this.#byKey.set(key, entry);
    if (!line.inHeads) {
      line.inHeads = true;
      this.#heads.push({ order: entry.order, line });
    }
  }

  /** Forgets `key` (it left the ready state); returns whether it was held. */
  remove(key: K): boolean {
    const entry = this.#byKey.get(key);
    if (entry === undefined) return false;
    this.#byKey.delete(key);
    entry.live = false;
    entry.line.removed++;
    entry.line.compact();
    return true;
  }

  /** Whether any entry is held, of any type or (with `types`) of one of those. */
  has(types?: readonly string[]): boolean {
    if (types === undefined) return this.#byKey.size > 0;
    return types.some((type) => this.#lines.get(type)?.peek() !== undefined);
  }

  /**
   * Takes out up to `limit` values, oldest first: of any type, or (with `types`) of those
   * only, an empty list taking none. Taken values are forgotten.
   */
  take(limit: number, types?: readonly string[]): T[] {
    const taken: T[] = [];
    if (types === undefined) this.#takeAny(limit, taken);
    else this.#takeOf(limit, types, taken);
    return taken;
  }

  /** Forgets every entry. */
  clear(): void {
    this.#byKey.clear();
    this.#lines.clear();
    this.#heads = new MinHeap(this.#heads.compare);
  }

  /** Merges every line by its head, a line's run taken at once while it stays the oldest. */
  #takeAny(limit: number, taken: T[]): void {
    const heads = this.#heads;
    while (taken.length < limit) {
      const top = heads.pop();
      if (top === undefined) return;
      const { line } = top;
      let head = line.peek();
      if (head === undefined) {
        line.inHeads = false;
        continue;
      }
      if (head.order !== top.order) {
        // Its head was taken by type or removed since: placed again by the current one.
        heads.push({ order: head.order, line });
        continue;
      }
      // An order in the heap is never later than its line's head, so this bound is safe.
      const bound = heads.peek()?.order ?? Infinity;
      do {
        this.#takeHead(line, head, taken);
        head = line.peek();
      } while (taken.length < limit && head !== undefined && head.order < bound);
      if (head === undefined) line.inHeads = false;
      else heads.push({ order: head.order, line });
      line.compact();
    }
  }

  /** Merges the named lines by scanning their heads: few types, so a scan per value taken. */
  #takeOf(limit: number, types: readonly string[], taken: T[]): void {
    const lines: Line<K, T>[] = [];
    for (const type of types) {
      const line = this.#lines.get(type);
      if (line !== undefined && !lines.includes(line)) lines.push(line);
    }
    while (taken.length < limit) {
      let oldest: Entry<K, T> | undefined;
      for (const line of lines) {
        const head = line.peek();
        if (head !== undefined && (oldest === undefined || head.order < oldest.order)) {
          oldest = head;
        }
      }
      if (oldest === undefined) break;
      this.#takeHead(oldest.line, oldest, taken);
    }
    for (const line of lines) line.compact();
  }

  #takeHead(line: Line<K, T>, head: Entry<K, T>, taken: T[]): void {
    line.head++;
    head.live = false;
    this.#byKey.delete(head.key);
    taken.push(head.value);
  }
}
