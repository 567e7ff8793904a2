/** Reading a body up to a limit: the cut, the character cut in two, and no reading past it. */

import assert from "node:assert/strict";
import { readCapped } from "../../../queue/handlers/http/capped_body.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Yields `chunks`, counting how many were taken. */
function source(chunks: Uint8Array[]) {
  const counter = { taken: 0, finished: false };
  async function* generate() {
    try {
      for (const chunk of chunks) {
        counter.taken++;
        yield chunk;
      }
    } finally {
      counter.finished = true;
    }
  }
  return { body: generate(), counter };
}

Deno.test("readCapped() keeps a body that ends within the limit, whole", async () => {
  const { body } = source([bytes("héllo "), bytes("wörld")]);
  assert.deepEqual(await readCapped(body, 13), { text: "héllo wörld", truncated: false });
  assert.deepEqual(await readCapped(source([]).body, 0), { text: "", truncated: false });
});

Deno.test("readCapped() stops at the limit and reads no further", async () => {
  const { body, counter } = source([bytes("abcd"), bytes("efgh"), bytes("ijkl"), bytes("mnop")]);
  assert.deepEqual(await readCapped(body, 6), { text: "abcdef", truncated: true });
  assert.equal(counter.taken, 2);
  assert.ok(counter.finished, "the body's iteration was ended");
  assert.deepEqual(await readCapped(source([bytes("abc")]).body, 0), { text: "", truncated: true });
});

Deno.test("readCapped() drops a character the limit cuts in two", async () => {
  // "é" is 2 bytes, "😀" 4: a cut inside either keeps only the whole characters before it.
  assert.deepEqual(await readCapped(source([bytes("aé")]).body, 2), { text: "a", truncated: true });
  assert.deepEqual(await readCapped(source([bytes("a"), bytes("😀b")]).body, 4), {
    text: "a",
    truncated: true,
  });
  assert.deepEqual(await readCapped(source([bytes("a😀b")]).body, 5), {
    text: "a😀",
    truncated: true,
  });
});

Deno.test("readCapped() refuses a limit that is no whole number of bytes", async () => {
  await assert.rejects(readCapped(source([]).body, -1), {
    name: "RangeError",
    message: "limit must be a whole number of bytes, received -1",
  });
});
