/**
 * The README's handler example is the fixture `readme_handlers.ts` word for word (its one import
 * line, `from "denoqueue"`, included), and it works as the README says.
 */

import assert from "node:assert/strict";
import { envName, OPTIONS } from "../api/config/options.ts";
import { createServer } from "../api/server.ts";
import { APP_REQUEST_HOSTS } from "./support/api_server.ts";
import { waitFor } from "./support/wait.ts";
import { MemoryStore } from "../queue/store/memory/memory_store.ts";
import { TEST_LOGGER } from "./support/log_capture.ts";

const EXAMPLE = new URL("./fixtures/readme_handlers.ts", import.meta.url);

/** Asserts the README holds `fixture` word for word, its `../../` imports read from the root. */
async function assertReadmeShows(fixture: URL): Promise<void> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const example = (await Deno.readTextFile(fixture)).replaceAll('from "../../', 'from "./');
  const name = fixture.pathname.split("/tests/")[1];
  assert.ok(readme.includes(example), `README.md must contain tests/${name}`);
}

Deno.test("README shows the handler example that the tests run", async () => {
  await assertReadmeShows(EXAMPLE);
});

Deno.test("README handler example validates, runs, and refuses an unrecoverable address", async () => {
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    handlers: [EXAMPLE.href],
    allowedHosts: APP_REQUEST_HOSTS,
    logger: TEST_LOGGER,
  });
  try {
    const post = (payload: unknown) =>
      server.app.request("/api/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "welcome-email", payload }),
      });
    const bad = await post({ to: "not-an-email", name: "Ada" });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.details.field, "payload.to");
    const good = await (await post({ to: "ada@example.com", name: "Ada" })).json();
    const never = await (await post({ to: "x@example.invalid", name: "X" })).json();
    const done = await waitFor(() =>
      server.queue.get(good.id).then((j) => j?.status === "completed" ? j : undefined)
    );
    assert.deepEqual(done.result, { delivered: true });
    assert.match(done.logs[0].message, /attempt 1: sending to ada@example.com/);
    const failed = await waitFor(() =>
      server.queue.get(never.id).then((j) => j?.status === "failed" ? j : undefined)
    );
    assert.equal(failed.attempts.length, 1);
    assert.equal(failed.error, "This address can never receive mail");
  } finally {
    await server.shutdown();
  }
});

const PRODUCER_EXAMPLE = new URL("./fixtures/readme_producer.ts", import.meta.url);

Deno.test("README shows the producer example that the tests run", async () => {
  await assertReadmeShows(PRODUCER_EXAMPLE);
});

Deno.test("README producer example stores every job, and reports a refused one", async () => {
  const { enqueueWelcomes } = await import(PRODUCER_EXAMPLE.href);
  const server = await createServer({
    store: new MemoryStore(),
    workers: 1,
    port: 0,
    handlers: [EXAMPLE.href],
    logger: TEST_LOGGER,
  });
  try {
    const { port } = await server.listen();
    const url = `http://127.0.0.1:${port}`;
    const jobs = await enqueueWelcomes(url, ["ada@example.com", "alan@example.com"]);
    assert.deepEqual(jobs.map((job: { payload: { to: string } }) => job.payload.to), [
      "ada@example.com",
      "alan@example.com",
    ]);
    for (const job of jobs) assert.ok(await server.queue.get(job.id));
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...parts: unknown[]) => errors.push(parts);
    try {
      await assert.rejects(enqueueWelcomes(url, ["not-an-email"]), /job\.payload\.to/);
    } finally {
      console.error = original;
    }
    assert.equal(errors[0][0], 400);
    assert.equal(errors[0][1], "invalid_payload");
  } finally {
    await server.shutdown();
  }
});

Deno.test("README's configuration table has a row for every option, with its variable", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const rows = new Map(
    readme.split("\n")
      .filter((line) => line.startsWith("| `--"))
      .map((line) => [/^\| `--([a-z-]+)`/.exec(line)![1], line]),
  );
  for (const flag of Object.keys(OPTIONS)) {
    const row = rows.get(flag);
    assert.ok(row !== undefined, `README.md has no row for --${flag}`);
    assert.ok(row.includes(`\`${envName(flag)}\``), `the row of --${flag} names ${envName(flag)}`);
  }
  assert.deepEqual([...rows.keys()].filter((flag) => OPTIONS[flag] === undefined), []);
});
