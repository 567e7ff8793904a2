/**
 * BodyReader: a request body read whole within its size limit and deadline. A large stalled
 * body is cut off at the deadline and what was read is released at once; a small one is cut
 * off too, and lingers (Deno reads it on) until its client leaves.
 */

import assert from "node:assert/strict";
import { BodyReader, SMALL_BODY } from "../../../api/limits/body_reader.ts";
import { HttpError } from "../../../api/errors.ts";
import { afterQueuedCallbacks, within } from "../../support/wait.ts";

/** A POST whose body is `chunks`, then (unless `stall`) its end. */
function post(chunks: Uint8Array[], { length, stall = false, fail = false } = {} as {
  length?: number;
  stall?: boolean;
  fail?: boolean;
}) {
  let cancelled = false;
  let source!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      source = controller;
      for (const chunk of chunks) controller.enqueue(chunk);
      if (fail) controller.error(new Error("connection reset"));
      else if (!stall) controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  const headers = length === undefined ? undefined : { "content-length": String(length) };
  const request = new Request("http://x/api/jobs", { method: "POST", body, headers });
  return { request, cancelled: () => cancelled, end: (error: Error) => source.error(error) };
}

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

/** Runs `test` with a reader and always stops its timer. */
async function withReader(
  options: { limit: number; timeout: number },
  test: (bodies: BodyReader) => Promise<void>,
) {
  const bodies = new BodyReader(options);
  try {
    await test(bodies);
  } finally {
    bodies.close();
  }
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await within(promise.then(() => undefined, (e) => e), "the refusal", 5_000);
  assert.ok(error instanceof HttpError, `expected an HttpError, got ${error}`);
  return error;
}

Deno.test("BodyReader.read() returns a body of one chunk as it is, and one of many whole", async () => {
  await withReader({ limit: 1024, timeout: 10_000 }, async (bodies) => {
    const one = bytes(10);
    assert.equal(await bodies.read(post([one], { length: 10 }).request), one);
    const parts = [bytes(4, 0x61), bytes(3, 0x62), bytes(3, 0x63)];
    const whole = await bodies.read(post(parts, { length: 10 }).request);
    assert.equal(new TextDecoder().decode(whole), "aaaabbbccc");
    // Each chunk was copied, then its memory released at once.
    assert.ok(parts.every((part) => part.buffer.detached));
    const chunked = await bodies.read(post([bytes(2), bytes(3)]).request);
    assert.equal(chunked.length, 5);
    assert.equal((await bodies.read(new Request("http://x/", { method: "POST" }))).length, 0);
    assert.equal(bodies.reading, 0);
  });
});

Deno.test("BodyReader.read() answers 413 past the limit, declared or counted", async () => {
  await withReader({ limit: 8, timeout: 10_000 }, async (bodies) => {
    const declared = post([bytes(9)], { length: 9 });
    const error = await refusal(bodies.read(declared.request));
    assert.equal(error.status, 413);
    assert.equal(error.code, "payload_too_large");
    assert.deepEqual(error.details, { limit: 8 });
    const counted = post([bytes(5), bytes(5)], { stall: true });
    assert.equal((await refusal(bodies.read(counted.request))).status, 413);
    assert.ok(counted.cancelled(), "the stream is cancelled");
    assert.equal(bodies.reading, 0);
  });
});

Deno.test("BodyReader.read() cuts a stalled body off at the deadline with 408 and releases it", async () => {
  await withReader({ limit: 1 << 20, timeout: 100 }, async (bodies) => {
    const parts = [bytes(1000), bytes(1000)];
    const stalled = post(parts, { length: 1 << 20, stall: true });
    const started = performance.now();
    const error = await refusal(bodies.read(stalled.request));
    assert.equal(error.status, 408);
    assert.equal(error.code, "request_timeout");
    assert.match(error.message, /did not arrive within 100 ms \(--body-timeout\)/);
    assert.deepEqual(error.details, { timeoutMs: 100, received: 2000 });
    assert.ok(performance.now() - started >= 100);
    assert.ok(stalled.cancelled(), "the stream is cancelled: Deno drops what it buffered");
    assert.ok(parts.every((part) => part.buffer.detached), "what was read is released");
    const chunked = post([bytes(10)], { stall: true });
    assert.equal((await refusal(bodies.read(chunked.request))).status, 408);
    assert.equal(bodies.reading, 0);
  });
});

Deno.test("BodyReader.read() answers 400 for a body cut short or broken", async () => {
  await withReader({ limit: 1024, timeout: 10_000 }, async (bodies) => {
    const short = await refusal(bodies.read(post([bytes(5)], { length: 10 }).request));
    assert.equal(short.status, 400);
    assert.equal(short.code, "incomplete_body");
    assert.match(short.message, /ended after 5 of 10 bytes/);
    const broken = await refusal(bodies.read(post([bytes(5)], { fail: true }).request));
    assert.equal(broken.status, 400);
    assert.match(broken.message, /connection reset/);
  });
});

Deno.test("BodyReader.text() reads small and large bodies as text", async () => {
  await withReader({ limit: 1 << 20, timeout: 10_000 }, async (bodies) => {
    const small = post([new TextEncoder().encode('{"a":"é"}')], { length: 10 });
    assert.equal(await bodies.text(small.request), '{"a":"é"}');
    assert.equal(bodies.lingering(small.request), undefined);
    const parts = [bytes(SMALL_BODY), bytes(1)];
    assert.equal(
      (await bodies.text(post(parts, { length: SMALL_BODY + 1 }).request)).length,
      SMALL_BODY + 1,
    );
    assert.ok(parts.every((part) => part.buffer.detached), "a large body is read from its stream");
    const tooLarge = await refusal(
      bodies.text(post([bytes(1)], { length: (1 << 20) + 1 }).request),
    );
    assert.equal(tooLarge.status, 413);
  });
});

Deno.test("BodyReader.text() cuts a large stalled body off at the deadline and releases it", async () => {
  await withReader({ limit: 1 << 20, timeout: 100 }, async (bodies) => {
    const parts = [bytes(SMALL_BODY), bytes(1000)];
    const stalled = post(parts, { length: 1 << 20, stall: true });
    const error = await refusal(bodies.text(stalled.request));
    assert.equal(error.status, 408);
    assert.deepEqual(error.details, { timeoutMs: 100, received: SMALL_BODY + 1000 });
    assert.ok(stalled.cancelled());
    assert.ok(parts.every((part) => part.buffer.detached), "what was read is released");
    assert.equal(bodies.lingering(stalled.request), undefined);
  });
});

Deno.test("BodyReader.text() cuts a small stalled body off at the deadline; it lingers until its client leaves", async () => {
  await withReader({ limit: 1 << 20, timeout: 100 }, async (bodies) => {
    const stalled = post([bytes(100)], { length: 200, stall: true });
    const started = performance.now();
    const error = await refusal(bodies.text(stalled.request));
    assert.ok(performance.now() - started >= 100);
    assert.equal(error.status, 408);
    assert.equal(error.code, "request_timeout");
    assert.deepEqual(error.details, { timeoutMs: 100 });
    const lingering = bodies.lingering(stalled.request);
    assert.ok(lingering !== undefined, "the cut-off small body lingers");
    let ended = false;
    lingering.then(() => ended = true);
    await afterQueuedCallbacks();
    assert.equal(ended, false);
    stalled.end(new Error("connection reset")); // its client leaves
    await within(lingering, "the lingering body to end", 5_000);
    assert.equal(bodies.reading, 0);
  });
});

Deno.test("new BodyReader() refuses a negative limit or a timeout that is not positive", () => {
  assert.throws(() => new BodyReader({ limit: -1, timeout: 1 }), RangeError);
  assert.throws(() => new BodyReader({ limit: 1, timeout: 0 }), RangeError);
});
