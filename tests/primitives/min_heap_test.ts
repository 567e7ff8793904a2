import assert from "node:assert/strict";
import { MinHeap } from "../../queue/primitives/min_heap.ts";

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function drain<T>(heap: MinHeap<T>): T[] {
  const out: T[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
  return out;
}

Deno.test("MinHeap.pop() returns undefined when empty", () => {
  const heap = new MinHeap<number>((a, b) => a - b);
  assert.equal(heap.size, 0);
  assert.equal(heap.peek(), undefined);
  assert.equal(heap.pop(), undefined);
});

Deno.test("MinHeap.peek() shows the smallest item without removing it", () => {
  const heap = new MinHeap<number>((a, b) => a - b);
  for (const n of [5, 3, 8, 1, 9]) heap.push(n);
  assert.equal(heap.peek(), 1);
  assert.equal(heap.size, 5);
  assert.equal(heap.pop(), 1);
  assert.equal(heap.peek(), 3);
  assert.equal(heap.size, 4);
});

Deno.test("MinHeap.pop() returns random inputs in sorted order", () => {
  for (let seed = 1; seed <= 50; seed++) {
    const random = seeded(seed);
    const length = Math.floor(random() * 200);
    // A narrow range makes duplicates common.
    const input = Array.from({ length }, () => Math.floor(random() * 50));
    const heap = new MinHeap<number>((a, b) => a - b);
    for (const n of input) heap.push(n);
    assert.equal(heap.size, input.length);
    assert.deepEqual(drain(heap), [...input].sort((a, b) => a - b), `seed ${seed}`);
    assert.equal(heap.size, 0);
  }
});

Deno.test("MinHeap.push() keeps order when pushes and pops interleave", () => {
  const random = seeded(42);
  const heap = new MinHeap<number>((a, b) => a - b);
  const model: number[] = [];
  for (let step = 0; step < 2_000; step++) {
    if (random() < 0.6 || model.length === 0) {
      const n = Math.floor(random() * 1_000);
      heap.push(n);
      model.push(n);
      model.sort((a, b) => a - b);
    } else {
      assert.equal(heap.pop(), model.shift(), `step ${step}`);
    }
    assert.equal(heap.size, model.length);
    assert.equal(heap.peek(), model[0]);
  }
});

Deno.test("MinHeap orders objects by the given compare function", () => {
  const heap = new MinHeap<{ runAt: number; id: string }>((a, b) => a.runAt - b.runAt);
  heap.push({ runAt: 30, id: "c" });
  heap.push({ runAt: 10, id: "a" });
  heap.push({ runAt: 20, id: "b" });
  assert.deepEqual(drain(heap).map((entry) => entry.id), ["a", "b", "c"]);
});
