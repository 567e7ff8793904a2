/**
 * How often one server tries to reach PostgreSQL while it is down: the reconnect backoff
 * (`reconnectDelay`, at most a second per connection) keeps that to a few attempts a second,
 * not a busy loop: PostgreSQL stopped and something in its place that accepts and closes each
 * connection at once (a proxy or a port forward whose database is gone), attempts counted by
 * that listener; meanwhile a call answers 503 at once.
 */

import assert from "node:assert/strict";
import { FIXTURES } from "../../fixtures/handlers.ts";
import { postgresCluster } from "../../support/postgres.ts";
import { type ServiceProcess, startService } from "../../support/process.ts";
import { stop } from "../../support/crash_run.ts";
import { waitFor } from "../../support/wait.ts";
import { acceptAndClose } from "../../support/accept_and_close.ts";

const OUTAGE_MS = 5_000;
/** Attempts a second one server may make during an outage: ~a dozen, not a busy loop. */
const MAX_RATE = 30;

async function until(ms: number): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  setTimeout(resolve, ms);
  await promise;
}

async function serverUp(service: ServiceProcess): Promise<void> {
  await waitFor(async () => {
    const response = await fetch(`${service.url}/api/stats`);
    await response.body?.cancel();
    return response.status === 200;
  }, { timeout: 15_000, interval: 50, message: "the store back" });
}

Deno.test("a server tries to reach a stopped PostgreSQL a few times a second, not in a busy loop", async () => {
  const cluster = await postgresCluster();
  const store = await cluster.createDatabase();
  const service = await startService([
    ...["--store", store, "--workers", "2", "--concurrency", "4", "--handlers", FIXTURES],
    ...["--lease", "2s", "--node-timeout", "2s", "--heartbeat", "500ms"],
  ]);
  let down = false;
  try {
    await serverUp(service);
    down = true;
    await cluster.stop();
    // Accepted and closed at once.
    const listener = acceptAndClose(cluster.port);
    // A call meanwhile answers 503 rather than hanging.
    const started = Date.now();
    const during = await fetch(`${service.url}/api/stats`, {
      signal: AbortSignal.timeout(OUTAGE_MS),
    })
      .then(async (response) => {
        await response.body?.cancel();
        return response.status;
      }, (error) => String(error));
    console.log(`a call during it: ${during} after ${Date.now() - started} ms`);
    assert.equal(during, 503, "a call during the outage answers 503, at once");
    await until(Math.max(0, OUTAGE_MS - (Date.now() - started)));
    await listener.close();
    const dropped = listener.accepted;
    console.log(`accepted and closed: ${dropped} attempts in ${OUTAGE_MS} ms`);

    await cluster.start();
    down = false;
    await serverUp(service);
    assert.ok(
      dropped / (OUTAGE_MS / 1000) <= MAX_RATE,
      `${dropped} attempts in ${OUTAGE_MS} ms on a port that accepts and closes`,
    );
  } finally {
    if (down) await cluster.start();
    assert.equal((await stop(service, "SIGTERM")).code, 0);
  }
});
