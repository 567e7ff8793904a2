/**
 * GET /api/events: the stats as one snapshot, then deltas. A client that applies them holds
 * exactly the stats the feed read, even one that skipped messages; steady-state messages are
 * small.
 */

import assert from "node:assert/strict";
import { applyJsonDelta } from "../../api/json_delta.ts";
import { type FeedStats, LiveFeed, type StatsDelta } from "../../api/live_feed.ts";
import { createServer } from "../../api/server.ts";
import { JobEvents } from "../../queue/events.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { random, statsRun } from "../support/random_stats.ts";
import { readSse, type SseMessage } from "../support/sse.ts";
import { deadline } from "../support/wait.ts";
import { APP_REQUEST_HOSTS } from "../support/api_server.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";

/**
 * A feed over scripted stats: each read returns the next of a random run, its `staleOutcomes`
 * set to its index in `read`, so a client's stats name the read they should equal.
 */
function scriptedFeed(seed: number) {
  const snapshot = statsRun(random(seed));
  const read: FeedStats[] = [];
  let current: FeedStats;
  const queue = {
    events: new JobEvents(),
    stats: () => {
      current = { ...snapshot(), staleOutcomes: read.length };
      read.push(current);
      return Promise.resolve(current);
    },
  };
  const pool = { stats: () => current.workers };
  const feed = new LiveFeed({ queue, pool, statsInterval: 5, heartbeatInterval: 60_000 });
  return { feed, read };
}

/** A client's copy of the stats, kept from the messages it reads, as the dashboard keeps it. */
class Client {
  stats: FeedStats | undefined;
  seq: number | undefined;
  /** The stats messages read: id, kind, data and size on the wire. */
  seen: { id: number; event: string; data: string; bytes: number }[] = [];
  #messages: AsyncGenerator<SseMessage>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#messages = readSse(stream);
  }

  /** Reads up to the next stats message and applies it. */
  async next(): Promise<FeedStats> {
    for (;;) {
      const { value: message, done } = await deadline(this.#messages.next(), {
        message: "a stats message",
      });
      if (done) throw new Error("the stream ended");
      if (message.event === "stats") {
        this.stats = JSON.parse(message.data);
      } else if (message.event === "stats-delta") {
        const delta: StatsDelta = JSON.parse(message.data);
        assert.equal(delta.base, this.seq, "a delta follows the stats held");
        this.stats = applyJsonDelta(this.stats, delta);
      } else continue;
      const id = Number(message.id);
      // The bytes on the wire: the message's SSE lines.
      const frame = `id: ${message.id}\nevent: ${message.event}\ndata: ${message.data}\n\n`;
      const bytes = new TextEncoder().encode(frame).length;
      this.seen.push({ id, event: message.event, data: message.data, bytes });
      this.seq = id;
      return this.stats!;
    }
  }

  close(): Promise<unknown> {
    return this.#messages.return(undefined);
  }
}

Deno.test("LiveFeed: a snapshot, then deltas that give exactly each stats read", async () => {
  const seed = Date.now();
  const { feed, read } = scriptedFeed(seed);
  const client = new Client(feed.connect());
  try {
    for (let n = 0; n < 100; n++) {
      const stats = await client.next();
      assert.deepEqual(stats, read[stats.staleOutcomes], `seed ${seed}, message ${n}`);
    }
    assert.equal(client.seen[0].event, "stats");
    assert.ok(client.seen.slice(1).every((m) => m.event === "stats-delta"), "then only deltas");
  } finally {
    feed.close();
    await client.close();
  }
});

Deno.test("LiveFeed: a client that skipped messages gets a delta from the stats it holds", async () => {
  const seed = Date.now();
  const { feed, read } = scriptedFeed(seed);
  const reading = new Client(feed.connect());
  // Not read for now: its stream fills, and the feed skips it.
  const lagging = new Client(feed.connect());
  try {
    for (let n = 0; n < 10; n++) await reading.next();
    const first = await lagging.next();
    assert.equal(lagging.seen[0].event, "stats");
    assert.deepEqual(first, read[first.staleOutcomes], `seed ${seed}`);
    const caughtUp = await lagging.next();
    assert.deepEqual(caughtUp, read[caughtUp.staleOutcomes], `seed ${seed}`);
    const [snapshot, delta] = lagging.seen;
    assert.equal(delta.event, "stats-delta");
    const skipped = reading.seen.filter((m) => m.id > snapshot.id && m.id < delta.id);
    assert.ok(skipped.length >= 5, `it skipped ${skipped.length} stats messages (seed ${seed})`);
  } finally {
    feed.close();
    await reading.close();
    await lagging.close();
  }
});

Deno.test("GET /api/events: after the snapshot, a second's delta is a few hundred bytes at most", async () => {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    allowedHosts: APP_REQUEST_HOSTS,
    logger: TEST_LOGGER,
    shutdownGrace: 200,
  });
  const response = await server.app.request("/api/events");
  const client = new Client(response.body!);
  try {
    await client.next();
    await client.next();
    await client.next();
    const [snapshot, ...idle] = client.seen;
    // Measured: a snapshot of 1,643 bytes (600 series points), an idle delta of 43.
    assert.ok(snapshot.bytes > 1_500, `the snapshot is ${snapshot.bytes} bytes`);
    for (const { bytes } of idle) assert.ok(bytes < 100, `an idle delta is ${bytes} bytes`);

    // Load: each second, jobs enqueued and completed, so counts, rates and series move.
    for (let n = 0; n < 3; n++) {
      await server.queue.enqueue(
        Array.from({ length: 200 }, () => ({ type: "noop", payload: {} })),
      );
      await client.next();
    }
    const loaded = client.seen.slice(3);
    // Measured: 290 to 360 bytes (one type; about 650 with two, one failing), against 1,643.
    for (const { bytes } of loaded) assert.ok(bytes < 800, `a delta under load is ${bytes} bytes`);
    assert.ok(
      loaded.some(({ data }) => "slide" in JSON.parse(data)),
      "the throughput series moved, as new points",
    );
    assert.ok(client.stats!.byStatus.completed > 0, "the load shows in the deltas");
    const whole = await (await server.app.request("/api/stats")).text();
    assert.ok(whole.length > 1_500, `the stats are ${whole.length} bytes whole`);
  } finally {
    await client.close();
    await server.shutdown();
  }
});
