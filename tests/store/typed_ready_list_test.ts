/** The ready list by type: order across types, takes by type, removals, and compaction. */

import assert from "node:assert/strict";
import { TypedReadyList } from "../../queue/store/typed_ready_list.ts";

/** A list holding `keys` in order, each under the type before its dash (`"email-1"`). */
function listOf(...keys: string[]): TypedReadyList<string, string> {
  const ready = new TypedReadyList<string, string>();
  for (const key of keys) ready.add(key.split("-")[0], key, key);
  return ready;
}

Deno.test("TypedReadyList.take() without types takes every type in the order added", () => {
  const ready = listOf("a-1", "b-1", "a-2", "c-1", "b-2", "a-3");
  assert.deepEqual(ready.take(4), ["a-1", "b-1", "a-2", "c-1"]);
  assert.deepEqual(ready.take(10), ["b-2", "a-3"]);
  assert.deepEqual(ready.take(10), []);
  assert.equal(ready.size, 0);
});

Deno.test("TypedReadyList.take() with types takes only those, oldest first across them", () => {
  const ready = listOf("a-1", "b-1", "c-1", "a-2", "b-2", "c-2");
  assert.deepEqual(ready.take(3, ["c", "a"]), ["a-1", "c-1", "a-2"]);
  assert.deepEqual(ready.take(10, ["b", "b", "unknown"]), ["b-1", "b-2"]);
  assert.equal(ready.size, 1);
  assert.deepEqual(ready.take(10), ["c-2"]);
});

Deno.test("TypedReadyList.take() with no types takes nothing", () => {
  const ready = listOf("a-1");
  assert.deepEqual(ready.take(10, []), []);
  assert.equal(ready.has([]), false);
  assert.deepEqual(ready.take(10), ["a-1"]);
});

Deno.test("TypedReadyList.take() of any type after takes by type keeps the order", () => {
  // Takes by type leave the merge's idea of each line's head behind; it must catch up.
  const ready = listOf("a-1", "b-1", "a-2", "b-2", "a-3", "b-3");
  assert.deepEqual(ready.take(1), ["a-1"]);
  assert.deepEqual(ready.take(2, ["b"]), ["b-1", "b-2"]);
  ready.add("b", "b-4", "b-4");
  assert.deepEqual(ready.take(10), ["a-2", "a-3", "b-3", "b-4"]);
});

Deno.test("TypedReadyList.take() of any type refills a line emptied by type", () => {
  const ready = listOf("a-1", "b-1");
  assert.deepEqual(ready.take(10, ["a"]), ["a-1"]);
  ready.add("a", "a-2", "a-2");
  assert.deepEqual(ready.take(10), ["b-1", "a-2"]);
  ready.add("a", "a-3", "a-3");
  assert.deepEqual(ready.take(10), ["a-3"]);
});

Deno.test("TypedReadyList.remove() skips the entry; add() of a held key moves it to the back", () => {
  const ready = listOf("a-1", "b-1", "a-2", "b-2");
  assert.equal(ready.remove("a-1"), true);
  assert.equal(ready.remove("a-1"), false);
  assert.equal(ready.remove("missing"), false);
  ready.add("b", "b-1", "b-1 again");
  assert.equal(ready.size, 3);
  assert.deepEqual(ready.take(10), ["a-2", "b-2", "b-1 again"]);
});

Deno.test("TypedReadyList.has() says whether a type, or any, holds an entry", () => {
  const ready = listOf("a-1", "b-1");
  assert.equal(ready.has(), true);
  assert.equal(ready.has(["b", "c"]), true);
  assert.equal(ready.has(["c"]), false);
  ready.remove("b-1");
  assert.equal(ready.has(["b"]), false);
  ready.take(1, ["a"]);
  assert.equal(ready.has(), false);
});

Deno.test("TypedReadyList.clear() forgets every entry, and the list is usable after", () => {
  const ready = listOf("a-1", "b-1");
  ready.clear();
  assert.equal(ready.size, 0);
  assert.deepEqual(ready.take(10), []);
  ready.add("b", "b-2", "b-2");
  ready.add("a", "a-2", "a-2");
  assert.deepEqual(ready.take(10), ["b-2", "a-2"]);
});

Deno.test("TypedReadyList keeps its order through compactions of many takes and removals", () => {
  const ready = new TypedReadyList<number, number>();
  const expected: number[] = [];
  // Three types interleaved (the type is key % 3); every fourth key removed, the rest taken in
  // small bites past the compaction threshold, by type and not.
  for (let key = 0; key < 9000; key++) ready.add(["a", "b", "c"][key % 3], key, key);
  for (let key = 0; key < 9000; key += 4) ready.remove(key);
  for (let key = 0; key < 9000; key++) if (key % 4 !== 0) expected.push(key);
  const taken: number[] = [];
  while (ready.size > 0) {
    const any = ready.take(7);
    const some = ready.take(5, ["b", "c"]);
    // Each take is oldest first among what it may take.
    assert.deepEqual(any, [...any].sort((x, y) => x - y));
    assert.deepEqual(some, [...some].sort((x, y) => x - y));
    assert.ok(some.every((key) => key % 3 !== 0), `no "a" in ${some}`);
    taken.push(...any, ...some);
  }
  assert.deepEqual([...taken].sort((x, y) => x - y), expected);
  assert.equal(new Set(taken).size, expected.length);
});

Deno.test("TypedReadyList.take() matches a naive list under random adds, removals and takes", () => {
  // A seeded walk: the reference is an array in the order added, filtered as asked.
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const types = ["a", "b", "c", "d"];
  const ready = new TypedReadyList<number, number>();
  let naive: { key: number; type: string }[] = [];
  let next = 0;
  for (let step = 0; step < 20_000; step++) {
    const roll = random();
    if (roll < 0.5) {
      const type = types[Math.floor(random() * types.length)];
      const key = random() < 0.1 && naive.length > 0
        ? naive[Math.floor(random() * naive.length)].key // added again: to the back
        : next++;
      naive = naive.filter((entry) => entry.key !== key);
      naive.push({ key, type });
      ready.add(type, key, key);
    } else if (roll < 0.65 && naive.length > 0) {
      const { key } = naive[Math.floor(random() * naive.length)];
      naive = naive.filter((entry) => entry.key !== key);
      assert.equal(ready.remove(key), true);
    } else {
      const limit = 1 + Math.floor(random() * 6);
      const asked = random() < 0.4 ? undefined : types.filter(() => random() < 0.5);
      const matching = naive.filter((entry) => asked === undefined || asked.includes(entry.type));
      const expected = matching.slice(0, limit).map((entry) => entry.key);
      assert.deepEqual(ready.take(limit, asked), expected, `step ${step}`);
      naive = naive.filter((entry) => !expected.includes(entry.key));
    }
    assert.equal(ready.size, naive.length);
  }
});
