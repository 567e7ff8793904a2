/**
 * What changed between two JSON values, as a small delta, and how to apply one: the live feed
 * sends its stats this way each second instead of the whole snapshot. Pure and free of Deno
 * APIs: the dashboard bundles this same module, so both ends read one definition.
 * @module
 */

/**
 * How an array that works as a sliding window changed: its first `drop` items go, the next
 * `keep` stay, and `append` follows them. A per-second series that moved on by one second is
 * `{ drop: 1, keep: length - 2, append: [last second's final count, this second's] }`.
 */
export interface Slide {
  drop: number;
  keep: number;
  append: unknown[];
}

/**
 * The changes that turn one JSON value into another, each at a JSON Pointer (RFC 6901) path
 * (`""` is the whole value, `/types/email` a member). The paths never overlap, so the order
 * of application does not matter. Empty groups are left out: `{}` means nothing changed.
 */
export interface JsonDelta {
  /** New values: a member added, or a value replaced whole. */
  set?: Record<string, unknown>;
  /** Members removed. */
  remove?: string[];
  /** Arrays that slid (see {@linkcode Slide}). */
  slide?: Record<string, Slide>;
}

type JsonObject = Record<string, unknown>;

/**
 * The delta from `previous` to `next` (JSON values: what `JSON.parse` returns). Unchanged
 * parts are left out; where replacing a whole object is shorter than its changes, it is
 * replaced; arrays are slid when part of the old one is kept, else replaced.
 *
 * @example
 * ```ts
 * import { diffJson } from "./json_delta.ts";
 * diffJson({ a: 1, s: [0, 1, 2] }, { a: 2, s: [1, 2, 3] });
 * // { set: { "/a": 2 }, slide: { "/s": { drop: 1, keep: 2, append: [3] } } }
 * ```
 */
export function diffJson(previous: unknown, next: unknown): JsonDelta {
  const delta: JsonDelta = {};
  diffInto(previous, next, "", delta);
  return delta;
}

/**
 * `value` with `delta` applied, as a new value: `value` is not changed, and the parts the
 * delta does not touch are shared with it. Throws a `TypeError` naming the path when the
 * delta does not fit `value` (it was made from another one).
 *
 * @example
 * ```ts
 * import { applyJsonDelta, diffJson } from "./json_delta.ts";
 * const before = { a: 1, s: [0, 1, 2] };
 * applyJsonDelta(before, diffJson(before, { a: 2, s: [1, 2, 3] })); // { a: 2, s: [1, 2, 3] }
 * ```
 */
export function applyJsonDelta<T>(value: T, delta: JsonDelta): T {
  let result: unknown = value;
  for (const path of delta.remove ?? []) {
    if (path === "") throw new TypeError('Cannot remove the whole value (path "")');
    result = updateAt(result, parsePath(path), 0, path, (old) => {
      if (old === ABSENT) throw new TypeError(`Cannot remove ${path}: there is nothing there`);
      return ABSENT;
    });
  }
  for (const [path, item] of Object.entries(delta.set ?? {})) {
    result = updateAt(result, parsePath(path), 0, path, () => item);
  }
  for (const [path, slide] of Object.entries(delta.slide ?? {})) {
    result = updateAt(result, parsePath(path), 0, path, (old) => slid(old, slide, path));
  }
  return result as T;
}

/** Whether `a` and `b` are the same JSON value (members in any order). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
}

function diffInto(previous: unknown, next: unknown, path: string, out: JsonDelta): void {
  if (previous === next) return;
  if (isObject(previous) && isObject(next)) {
    const inner: JsonDelta = {};
    for (const key of Object.keys(previous)) {
      if (!Object.hasOwn(next, key)) (inner.remove ??= []).push(`${path}/${escapeKey(key)}`);
    }
    for (const key of Object.keys(next)) {
      const child = `${path}/${escapeKey(key)}`;
      if (Object.hasOwn(previous, key)) diffInto(previous[key], next[key], child, inner);
      else (inner.set ??= {})[child] = next[key];
    }
    if (isEmpty(inner)) return;
    const whole: JsonDelta = { set: { [path]: next } };
    merge(out, JSON.stringify(whole).length < JSON.stringify(inner).length ? whole : inner);
  } else if (Array.isArray(previous) && Array.isArray(next)) {
    if (sameJson(previous, next)) return;
    const slide = bestSlide(previous, next);
    if (slide.keep === 0) (out.set ??= {})[path] = next;
    else (out.slide ??= {})[path] = slide;
  } else if (!sameJson(previous, next)) {
    (out.set ??= {})[path] = next;
  }
}

/** The slide that keeps the longest run of `previous` at the start of `next`. */
function bestSlide(previous: unknown[], next: unknown[]): Slide {
  let best = { drop: 0, keep: 0 };
  for (let drop = 0; drop <= previous.length; drop++) {
    // What a later drop could keep only shrinks: stop once it cannot beat the best.
    const limit = Math.min(previous.length - drop, next.length);
    if (limit <= best.keep) break;
    let keep = 0;
    while (keep < limit && sameJson(previous[drop + keep], next[keep])) keep++;
    if (keep > best.keep) best = { drop, keep };
  }
  return { ...best, append: next.slice(best.keep) };
}

function merge(out: JsonDelta, delta: JsonDelta): void {
  if (delta.set) Object.assign(out.set ??= {}, delta.set);
  if (delta.remove) (out.remove ??= []).push(...delta.remove);
  if (delta.slide) Object.assign(out.slide ??= {}, delta.slide);
}

function isEmpty(delta: JsonDelta): boolean {
  return delta.set === undefined && delta.remove === undefined && delta.slide === undefined;
}

/** Marks a member that is not there (to remove, or not yet added). */
const ABSENT = Symbol("absent");

function updateAt(
  node: unknown,
  tokens: string[],
  depth: number,
  path: string,
  change: (old: unknown) => unknown,
): unknown {
  if (depth === tokens.length) return change(node);
  if (!isObject(node)) {
    const where = "/" + tokens.slice(0, depth).map(escapeKey).join("/");
    throw new TypeError(`Cannot apply the change at ${path}: ${where} is not an object`);
  }
  const key = tokens[depth];
  const old = Object.hasOwn(node, key) ? node[key] : ABSENT;
  if (old === ABSENT && depth + 1 < tokens.length) {
    throw new TypeError(`Cannot apply the change at ${path}: it has no member ${key}`);
  }
  const updated = updateAt(old, tokens, depth + 1, path, change);
  const copy: JsonObject = { ...node };
  if (updated === ABSENT) delete copy[key];
  // Defined, not assigned: a member named __proto__ stays a member.
  else {Object.defineProperty(copy, key, {
      value: updated,
      enumerable: true,
      writable: true,
      configurable: true,
    });}
  return copy;
}

function slid(old: unknown, { drop, keep, append }: Slide, path: string): unknown[] {
  if (!Array.isArray(old)) throw new TypeError(`Cannot slide ${path}: it is not an array`);
  const fits = Number.isInteger(drop) && Number.isInteger(keep) && drop >= 0 && keep >= 0 &&
    drop + keep <= old.length && Array.isArray(append);
  if (!fits) {
    throw new TypeError(
      `Cannot slide ${path}: drop ${drop} and keep ${keep} do not fit its ${old.length} items`,
    );
  }
  return [...old.slice(drop, drop + keep), ...append];
}

function parsePath(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) {
    throw new TypeError(`Invalid path ${JSON.stringify(path)}: a JSON Pointer starts with /`);
  }
  return path.slice(1).split("/").map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function escapeKey(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
