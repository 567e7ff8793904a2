/**
 * GET /api/events: the live feed's messages, coalescing, reconnects and shutdown.
 */

import assert from "node:assert/strict";
import { createServer, type DenoQueueServer } from "../../api/server.ts";
import { APP_REQUEST_HOSTS } from "../support/api_server.ts";
import { readSse, type SseMessage } from "../support/sse.ts";
import { waitFor } from "../support/wait.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { TEST_LOGGER } from "../support/log_capture.ts";

async function withServer(body: (server: DenoQueueServer) => Promise<void>): Promise<void> {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    capacity: 100_000,
    allowedHosts: APP_REQUEST_HOSTS,
    logger: TEST_LOGGER,
    shutdownGrace: 200,
  });
  try {
    await body(server);
  } finally {
    await server.shutdown();
  }
}

async function connect(server: DenoQueueServer) {
  const response = await server.app.request("/api/events");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  return { response, messages: readSse(response.body!) };
}

/** Reads messages until `done` says stop or the stream ends; leaves the stream open. */
async function collect(
  messages: AsyncGenerator<SseMessage>,
  done: (seen: SseMessage[]) => boolean,
): Promise<SseMessage[]> {
  const seen: SseMessage[] = [];
  for (;;) {
    const next = await messages.next();
    if (next.done) return seen;
    seen.push(next.value);
    if (done(seen)) return seen;
  }
}

Deno.test("GET /api/events sends a retry hint and a stats snapshot at once", async () => {
  await withServer(async (server) => {
    const { messages } = await connect(server);
    const seen = await collect(messages, (s) => s.some((m) => m.event === "stats"));
    assert.equal(seen[0].event, "retry");
    const stats = JSON.parse(seen.find((m) => m.event === "stats")!.data);
    assert.equal(stats.capacity.limit, 100_000);
    assert.equal(stats.workers.size, 1);
    await messages.return(undefined);
  });
});

Deno.test("GET /api/events delivers a job's transitions in batched jobs messages", async () => {
  await withServer(async (server) => {
    const { messages } = await connect(server);
    const [job] = await server.queue.enqueue([{ type: "noop", payload: {} }]);
    const events: { event: string; id: string; status?: string; at: string }[] = [];
    await collect(messages, (seen) => {
      const last = seen.at(-1)!;
      if (last.event === "jobs") events.push(...JSON.parse(last.data).events);
      return events.some((e) => e.event === "completed");
    });
    const mine = events.filter((e) => e.id === job.id);
    assert.deepEqual(mine.map((e) => e.event), ["enqueued", "started", "completed"]);
    assert.equal(mine.at(-1)!.status, "completed");
    for (const { at } of mine) {
      assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, "ISO 8601, as the API");
    }
    await messages.return(undefined);
  });
});

Deno.test("GET /api/events coalesces a burst into summaries at about ten messages a second", async () => {
  await withServer(async (server) => {
    const { messages } = await connect(server);
    const jobs = Array.from({ length: 1000 }, () => ({ type: "noop", payload: {} }));
    const started = Date.now();
    for (let i = 0; i < 10; i++) await server.queue.enqueue(jobs);
    let completed = 0;
    const seen = await collect(messages, (seen) => {
      const last = seen.at(-1)!;
      if (last.event === "summary") completed += JSON.parse(last.data).counts.completed ?? 0;
      if (last.event === "jobs") {
        completed += JSON.parse(last.data).events.filter((e: { event: string }) =>
          e.event === "completed"
        ).length;
      }
      return completed >= 10_000;
    });
    const seconds = Math.max(1, (Date.now() - started) / 1000);
    const feedMessages = seen.filter((m) => m.event === "jobs" || m.event === "summary");
    assert.ok(seen.some((m) => m.event === "summary"), "a burst becomes summaries");
    // At most one jobs/summary message per 100 ms tick, plus the one in flight.
    assert.ok(
      feedMessages.length <= Math.ceil(seconds * 10) + 2,
      `${feedMessages.length} messages in ${seconds} s`,
    );
    assert.equal(completed, 10_000, "summaries count every completion");
    await messages.return(undefined);
  });
});

Deno.test("GET /api/events serves a client that reconnects, and stops listening when none is left", async () => {
  await withServer(async (server) => {
    const first = await connect(server);
    await collect(first.messages, (s) => s.some((m) => m.event === "stats"));
    assert.equal(server.feed.clients, 1);
    await first.messages.return(undefined);
    // The cancel travels back through the stream pipeline asynchronously.
    await waitFor(() => server.feed.clients === 0, { message: "the client to be dropped" });
    assert.equal(server.events.active, false, "no listener left on the queue");
    const second = await connect(server);
    const seen = await collect(second.messages, (s) => s.some((m) => m.event === "stats"));
    assert.ok(seen.some((m) => m.event === "stats"));
    assert.equal(server.feed.clients, 1);
    await second.messages.return(undefined);
  });
});

Deno.test("GET /api/events streams end when the server shuts down", async () => {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    allowedHosts: APP_REQUEST_HOSTS,
    logger: TEST_LOGGER,
    shutdownGrace: 100,
  });
  const { messages } = await connect(server);
  await collect(messages, (s) => s.some((m) => m.event === "stats"));
  const shutdown = server.shutdown();
  const rest = await collect(messages, () => false); // returns only when the stream ends
  await shutdown;
  assert.ok(rest.every((m) => m.event !== "jobs"));
  assert.equal(server.feed.clients, 0);
  assert.equal((await messages.next()).done, true);
});

Deno.test("HEAD /api/events answers the stream's headers and leaves no client behind", async () => {
  await withServer(async (server) => {
    for (let i = 0; i < 3; i++) {
      const response = await server.app.request("/api/events", { method: "HEAD" });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
      assert.equal(response.body, null);
    }
    // Hono runs the GET route for a HEAD and drops its body: the feed must hear of it.
    await waitFor(() => server.feed.clients === 0, { message: "no feed client left" });
    assert.equal(server.events.active, false, "no listener left on the queue");
  });
});
