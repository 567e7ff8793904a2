/**
 * The producer WebSocket (`GET /api/producer`) over a real socket, through the client
 * (`api/client/producer.ts`) and as raw messages: answers after storing, the HTTP API's error
 * shape, all-or-nothing batches, backpressure, the in-flight limit, origins and shutdown.
 * @module
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Producer, ProducerError } from "../../api/client/producer.ts";
import type { ProducerAnswer, ProducerErrorAnswer } from "../../api/producer_protocol.ts";
import { createServer } from "../../api/server.ts";
import { SqliteStore } from "../../queue/store/sqlite/sqlite_store.ts";
import { TEST_SERVER_OPTIONS, withListening } from "../support/api_server.ts";
import { waitFor, within } from "../support/wait.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { captureLog } from "../support/log_capture.ts";

/** A raw socket that collects every answer it gets. */
async function rawSocket(url: string) {
  const socket = new WebSocket(`${url.replace("http", "ws")}/api/producer`);
  const answers: ProducerAnswer[] = [];
  // Answers of one turn come together as an array.
  socket.onmessage = (event) => answers.push(...[JSON.parse(event.data)].flat());
  const closed = new Promise<CloseEvent>((resolve) => socket.onclose = resolve);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  /** Sends `data` and waits for the next answer. */
  const ask = async (data: string | Uint8Array): Promise<ProducerAnswer> => {
    const seen = answers.length;
    socket.send(data);
    return await waitFor(() => answers[seen], { message: "an answer" });
  };
  return { socket, answers, closed, ask };
}

function assertErrorAnswer(answer: ProducerAnswer, status: number, code: string) {
  assert.ok("error" in answer, `expected an error, got ${JSON.stringify(answer)}`);
  const failed = answer as ProducerErrorAnswer;
  assert.equal(failed.status, status, JSON.stringify(answer));
  assert.equal(failed.error.code, code);
  assert.equal(typeof failed.error.message, "string");
  return failed;
}

Deno.test("Producer.add() answers the stored job, which then runs", async () => {
  await withListening({}, async (url, api) => {
    const producer = await Producer.connect(url);
    try {
      const job = await producer.add("sleep", { ms: 1 }, { maxAttempts: 5 });
      assert.equal(job.type, "sleep");
      assert.equal(job.maxAttempts, 5);
      assert.ok(["queued", "in-progress", "completed"].includes(job.status));
      assert.deepEqual((await api.job(job.id)).payload, { ms: 1 });
      const done = await api.waitForStatus(job.id, "completed");
      assert.deepEqual(done.result, { sleptMs: 1 });
    } finally {
      await producer.close();
    }
  });
});

Deno.test("Producer.add() keeps thousands in flight on one socket, each answered once", async () => {
  await withListening({ capacity: 10_000 }, async (url, api, server) => {
    server.pool.pause();
    const producer = await Producer.connect(url);
    try {
      // More than the server takes in flight: the client holds the rest back until answers come.
      const jobs = await Promise.all(
        Array.from({ length: 2500 }, (_, i) => producer.add("noop", { i })),
      );
      assert.equal(new Set(jobs.map((job) => job.id)).size, 2500);
      assert.deepEqual(jobs.map((job) => (job.payload as { i: number }).i).slice(0, 3), [0, 1, 2]);
      assert.equal(producer.inFlight, 0);
      assert.equal((await api.stats()).byStatus.queued, 2500);
    } finally {
      await producer.close();
    }
  });
});

Deno.test("Producer carries jobs of every frame size, on its own socket and on Deno's", async () => {
  await withListening({ capacity: 10_000 }, async (url, api) => {
    // Frame lengths in 7 bits, 16 bits and 64 bits, both ways (answers repeat the payload).
    const sizes = [10, 1_500, 70_000, 300_000];
    for (const options of [{}, { WebSocket }]) {
      const producer = await Producer.connect(url, options);
      try {
        const jobs = await Promise.all(
          sizes.map((size) => producer.add("noop", { text: "é".repeat(size) })),
        );
        assert.deepEqual(jobs.map((job) => (job.payload as { text: string }).text.length), sizes);
        const stored = await api.job(jobs[3].id);
        assert.equal((stored.payload as { text: string }).text, "é".repeat(300_000));
        const bulk = await producer.addBulk(sizes.map((size) => ({ type: "noop", payload: size })));
        assert.deepEqual(bulk.map((job) => job.payload), sizes);
      } finally {
        await producer.close();
      }
    }
  });
});

Deno.test("Producer.connect() rejects when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const error = await Producer.connect(`http://127.0.0.1:${port}`).catch((e) => e);
  assert.ok(error instanceof ProducerError);
  assert.equal(error.code, "connection_failed");
});

Deno.test("Producer.connect() says why the server refused the socket", async () => {
  await withListening({}, async (url) => {
    const error = await Producer.connect(`${url}/api/no-such-socket`).catch((e) => e);
    assert.ok(error instanceof ProducerError);
    assert.equal(error.code, "connection_failed");
    assert.match(error.message, /handshake refused: HTTP\/1\.1 404/);
  });
});

Deno.test("Producer errors carry the HTTP status, code and field", async () => {
  await withListening({}, async (url, api) => {
    const producer = await Producer.connect(url);
    try {
      const unknown = await producer.add("no-such-type", {}).catch((error) => error);
      assert.ok(unknown instanceof ProducerError);
      assert.equal(unknown.status, 400);
      assert.equal(unknown.code, "unknown_type");
      assert.equal(unknown.details?.field, "job.type");

      const payload = await producer.add("sleep", { ms: "soon" }).catch((error) => error);
      assert.equal(payload.code, "invalid_payload");
      assert.equal(payload.details?.field, "job.payload.ms");
      assert.match(payload.message, /job\.payload\.ms/);

      const options = await producer.add("noop", {}, { timeout: -1 }).catch((error) => error);
      assert.equal(options.status, 400);
      assert.equal(options.details?.field, "job.options.timeout");

      // A batch is all or nothing, and names the job at fault.
      const batch = await producer.addBulk([
        { type: "noop", payload: {} },
        { type: "sleep", payload: { ms: "x" } },
      ]).catch((error) => error);
      assert.equal(batch.code, "invalid_payload");
      assert.equal(batch.details?.field, "jobs[1].payload.ms");
      assert.equal((await api.jobs()).length, 0);

      // The socket carries on after refusals.
      const jobs = await producer.addBulk([{ type: "noop" }, { type: "noop", payload: 2 }]);
      assert.equal(jobs.length, 2);
    } finally {
      await producer.close();
    }
  });
});

Deno.test("GET /api/producer refuses malformed messages one by one, and stays open", async () => {
  await withListening({ bodyLimit: 2048 }, async (url, api) => {
    const { socket, ask, closed } = await rawSocket(url);
    assert.equal(assertErrorAnswer(await ask("{not json"), 400, "bad_json").ref, null);
    assertErrorAnswer(await ask(new Uint8Array([1, 2])), 415, "unsupported_media_type");
    const noRef = assertErrorAnswer(
      await ask(JSON.stringify({ job: { type: "noop" } })),
      400,
      "invalid_request",
    );
    assert.equal(noRef.error.details?.field, "ref");
    const both = assertErrorAnswer(
      await ask(JSON.stringify({ ref: "r2", job: { type: "noop" }, jobs: [] })),
      400,
      "invalid_request",
    );
    assert.equal(both.ref, "r2");
    const extra = assertErrorAnswer(
      await ask(JSON.stringify({ ref: 3, job: { type: "noop" }, priority: 1 })),
      400,
      "invalid_request",
    );
    assert.equal(extra.error.details?.field, "priority");
    const strict = assertErrorAnswer(
      await ask(JSON.stringify({ ref: 4, job: { type: "noop", delay: 5 } })),
      400,
      "invalid_request",
    );
    assert.equal(strict.error.details?.field, "job.delay");
    const empty = assertErrorAnswer(
      await ask(JSON.stringify({ ref: 5, jobs: [] })),
      400,
      "invalid_request",
    );
    assert.equal(empty.error.details?.field, "jobs");
    assert.equal((await api.jobs()).length, 0);

    const ok = await ask(JSON.stringify({ ref: "last", job: { type: "noop" } }));
    assert.ok("job" in ok && ok.ref === "last" && ok.job.type === "noop");
    socket.close();
    await closed;
  });
});

Deno.test("GET /api/producer closes a socket whose message passes the body limit, with 1009", async () => {
  await withListening({ bodyLimit: 2048 }, async (url, api, server) => {
    const { socket, ask, closed } = await rawSocket(url);
    const ok = await ask(JSON.stringify({ ref: 1, job: { type: "noop" } }));
    assert.ok("job" in ok);
    socket.send(JSON.stringify({ ref: 2, job: { type: "noop", payload: "x".repeat(3000) } }));
    const close = await within(closed, "the socket to close");
    assert.equal(close.code, 1009);
    assert.equal(close.reason, "A message is larger than 2048 bytes (--body-limit)");
    assert.equal((await api.jobs()).length, 1);
    await waitFor(() => server.producers.size === 0, { message: "the session to end" });
  });
});

Deno.test("GET /api/producer counts a message's limit in bytes, as the HTTP body's is", async () => {
  await withListening({ bodyLimit: 2048 }, async (url, api, server) => {
    const { socket, ask, closed } = await rawSocket(url);
    // 900 characters of 3 UTF-8 bytes each: 2,700 bytes in 900 UTF-16 code units.
    const fits = await ask(
      JSON.stringify({ ref: 1, job: { type: "noop", payload: "€".repeat(600) } }),
    );
    assert.ok("job" in fits, JSON.stringify(fits));
    socket.send(JSON.stringify({ ref: 2, job: { type: "noop", payload: "€".repeat(900) } }));
    const close = await within(closed, "the socket to close");
    assert.equal(close.code, 1009);
    assert.equal((await api.jobs()).length, 1);
    await waitFor(() => server.producers.size === 0, { message: "the session to end" });
  });
});

Deno.test("GET /api/producer answers each request of a frame that carries several", async () => {
  await withListening({}, async (url, api) => {
    const { socket, answers, closed, ask } = await rawSocket(url);
    socket.send(JSON.stringify([
      { ref: 1, job: { type: "noop", payload: 1 } },
      { ref: 2, job: { type: "sleep", payload: { ms: "x" } } },
      { ref: 3, jobs: [{ type: "noop" }, { type: "noop" }] },
      "not a request",
    ]));
    await waitFor(() => answers.length === 4, { message: "four answers" });
    const byRef = new Map(answers.map((answer) => [answer.ref, answer]));
    assert.ok("job" in byRef.get(1)!);
    assert.equal(
      assertErrorAnswer(byRef.get(2)!, 400, "invalid_payload").error.details?.field,
      "job.payload.ms",
    );
    const batch = byRef.get(3)!;
    assert.ok("jobs" in batch && batch.jobs.length === 2);
    assertErrorAnswer(byRef.get(null)!, 400, "invalid_request");
    assert.equal((await api.jobs()).length, 3);

    // An empty array is no request at all: refused, not ignored.
    assertErrorAnswer(await ask("[]"), 400, "invalid_request");
    socket.close();
    await closed;
  });
});

Deno.test("GET /api/producer refuses other origins and plain requests", async () => {
  await withListening({}, async (url, _api, server) => {
    // The Host is the server's own: the origin alone is what is refused.
    const foreign = await server.app.request(`${url}/api/producer`, {
      headers: { upgrade: "websocket", origin: "https://evil.example", host: new URL(url).host },
    });
    assert.equal(foreign.status, 403);
    assert.equal((await foreign.json()).error.code, "forbidden_origin");
    const plain = await server.app.request("/api/producer");
    assert.equal(plain.status, 426);
    assert.equal(plain.headers.get("upgrade"), "websocket");
    assert.equal((await plain.json()).error.code, "upgrade_required");
  });
});

/** Reads one HTTP/1.1 answer (its headers and its Content-Length of body) from `connection`. */
async function firstAnswer(connection: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(65_536);
  let text = "";
  for (;;) {
    const read = await connection.read(buffer.subarray(text.length));
    if (read === null) return text;
    text += new TextDecoder().decode(buffer.subarray(text.length, text.length + read));
    const end = text.indexOf("\r\n\r\n");
    const length = /content-length: (\d+)/i.exec(text)?.[1];
    if (end !== -1 && length !== undefined && text.length >= end + 4 + Number(length)) return text;
  }
}

Deno.test("GET /api/producer answers a malformed upgrade 400, logging no error", async () => {
  const log = captureLog();
  await withListening({ logger: log.logger }, async (url, _api, server) => {
    const { hostname, port } = new URL(url);
    const upgrade = "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n";
    for (
      const headers of [
        `${upgrade}Connection: Upgrade\r\n`, // no Sec-WebSocket-Key
        `${upgrade}Connection: close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n`,
      ]
    ) {
      const connection = await Deno.connect({ hostname, port: Number(port) });
      await connection.write(
        new TextEncoder().encode(
          `GET /api/producer HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${headers}\r\n`,
        ),
      );
      const answer = await within(firstAnswer(connection), "the answer");
      connection.close();
      assert.match(answer, /^HTTP\/1\.1 400 /, answer);
      assert.match(answer, /"code":"bad_upgrade"/);
    }
    await waitFor(() => server.requests.size === 0, { message: "the slots back" });
    assert.equal(server.producers.size, 0);
    assert.deepEqual(log.records.filter((record) => record.level === "error"), []);
  });
});

Deno.test("GET /api/producer: a full queue answers 503 queue_full, the in-flight limit 429", async () => {
  await withListening({ capacity: 1, enqueueWait: 100 }, async (url) => {
    const producer = await Producer.connect(url);
    try {
      await producer.add("t-waits", {});
      const full = await producer.add("noop", {}).catch((error) => error);
      assert.equal(full.status, 503);
      assert.equal(full.code, "queue_full");
      assert.equal(typeof full.details?.retryAfterSeconds, "number");
    } finally {
      await producer.close();
    }
  });
  await withListening({ capacity: 1, enqueueWait: 30_000 }, async (url, _api, server) => {
    const producer = await Producer.connect(url);
    await producer.add("t-waits", {});
    await producer.close();
    const { socket, answers, closed } = await rawSocket(url);
    // 1,000 enqueues wait for room; the next one is refused at once.
    for (let ref = 1; ref <= 1001; ref++) {
      socket.send(JSON.stringify({ ref, job: { type: "noop" } }));
    }
    const refused = await waitFor(() => answers[0], { message: "the 1,001st answer" });
    assert.equal(assertErrorAnswer(refused, 429, "too_many_in_flight").ref, 1001);
    // Shutdown answers the waiting ones, then closes the socket as going away.
    await server.shutdown();
    const close = await closed;
    assert.equal(close.code, 1001);
    assert.equal(answers.length, 1001);
    for (const answer of answers.slice(1)) assertErrorAnswer(answer, 503, "shutting_down");
  });
});

Deno.test("Producer.add() answers only once the job is committed to SQLite", async () => {
  const path = `${Deno.makeTempDirSync({ prefix: "denoqueue-producer-" })}/jobs.db`;
  await withListening({ store: SqliteStore.open(path) }, async (url, _api, server) => {
    server.pool.pause();
    const producer = await Producer.connect(url);
    const reader = new DatabaseSync(path, { readOnly: true });
    try {
      const jobs = await Promise.all(
        Array.from({ length: 50 }, (_, i) => producer.add("noop", { i })),
      );
      // Another connection sees only committed rows: every answered job is there.
      const stored = new Set(
        (reader.prepare("SELECT id FROM jobs").all() as { id: string }[]).map((row) => row.id),
      );
      for (const job of jobs) assert.ok(stored.has(job.id), `${job.id} answered but not stored`);
    } finally {
      reader.close();
      await producer.close();
    }
  });
});

Deno.test("Producer hears a shutdown: waiting enqueues get 503, later ones connection_closed", async () => {
  await withListening({ capacity: 1, enqueueWait: 30_000 }, async (url, _api, server) => {
    const producer = await Producer.connect(url);
    await producer.add("t-waits", {});
    const waiting = producer.add("noop", {}).catch((error) => error);
    await waitFor(() => server.producers.inFlight === 1, {
      message: "the server to wait for room",
    });
    await server.shutdown();
    const error = await waiting;
    assert.ok(error instanceof ProducerError);
    // The server answers what waited before it closes: the client hears why.
    assert.equal(error.code, "shutting_down");
    assert.equal(error.status, 503);
    await producer.close();
    const late = await producer.add("noop", {}).catch((e) => e);
    assert.equal(late.code, "connection_closed");
    assert.equal(late.status, 0);
  });
});

/**
 * Opens `GET /api/producer` on a raw TCP connection that speaks the upgrade and nothing more:
 * it never answers a close frame, as a peer that hangs or stops reading.
 */
async function silentPeer(port: number): Promise<Deno.TcpConn> {
  const connection = await Deno.connect({ port });
  await connection.write(new TextEncoder().encode(
    `GET /api/producer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${btoa("0123456789abcdef")}\r\n` +
      `Sec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const answer = new Uint8Array(1024);
  const read = await within(connection.read(answer), "the upgrade");
  assert.match(new TextDecoder().decode(answer.subarray(0, read ?? 0)), /^HTTP\/1\.1 101/);
  return connection;
}

/** Everything the server sends until it ends the connection. */
async function readToEnd(connection: Deno.TcpConn): Promise<Uint8Array> {
  const chunks: number[] = [];
  const buffer = new Uint8Array(1024);
  for (;;) {
    const read = await connection.read(buffer);
    if (read === null) return new Uint8Array(chunks);
    chunks.push(...buffer.subarray(0, read));
  }
}

Deno.test("ProducerSockets.close() gives a peer that never answers the close close-grace, then shutdown drops it", async () => {
  const log = captureLog();
  const server = await createServer({
    store: new MemoryStore(),
    ...TEST_SERVER_OPTIONS,
    port: 0,
    closeGrace: 100,
    logger: log.logger,
  });
  const { port } = await server.listen();
  const peer = await silentPeer(port);
  try {
    await waitFor(() => server.producers.size === 1, { message: "the socket to be served" });
    await within(server.shutdown(), "shutdown");
    assert.ok(
      log.messages().includes("1 producer socket(s) did not answer the close in 100 ms"),
      log.messages().join("\n"),
    );
    // The server sent its close frame (1001, going away) and then ended the connection.
    const sent = await within(readToEnd(peer), "the connection to end");
    assert.equal(sent[0], 0x88, "a close frame");
    assert.equal((sent[2] << 8) | sent[3], 1001);
  } finally {
    peer.close();
  }
});
