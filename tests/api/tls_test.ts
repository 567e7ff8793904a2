/**
 * HTTPS with `--tls-cert` and `--tls-key` (test-only files in `tests/fixtures/tls/`): the API
 * answers over TLS, the start-up line says https://, and every way the files can be wrong
 * stops start-up with one line naming the flag and the file, exit code 2.
 */

import assert from "node:assert/strict";
import { createServer } from "../../api/server.ts";
import { readTls, TlsError } from "../../api/tls.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { TEST_SERVER_OPTIONS } from "../support/api_server.ts";
import { runService, startService } from "../support/process.ts";

const FIXTURES = new URL("../fixtures/tls/", import.meta.url);
const file = (name: string) => new URL(name, FIXTURES).pathname;
const CERT = file("localhost.crt");
const KEY = file("localhost.key");

/** A client that trusts the test CA, and nothing else. */
function trustingClient(): Deno.HttpClient {
  return Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(file("ca.crt"))] });
}

Deno.test("createServer() with tlsCert and tlsKey serves the API over HTTPS", async () => {
  const server = await createServer({
    store: new MemoryStore(),
    ...TEST_SERVER_OPTIONS,
    port: 0,
    tlsCert: CERT,
    tlsKey: KEY,
  });
  const client = trustingClient();
  try {
    const { port, tls } = await server.listen();
    assert.equal(tls, true);
    const response = await fetch(`https://127.0.0.1:${port}/api/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "noop", payload: {} }),
      client,
    });
    assert.equal(response.status, 201, await response.clone().text());
    assert.equal((await response.json()).type, "noop");
    // Plain HTTP on the same port gets no answer.
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("main.ts with --tls-cert and --tls-key says https:// and answers over TLS", async () => {
  const service = await startService(["--tls-cert", CERT, "--tls-key", KEY, "--workers", "1"]);
  const client = trustingClient();
  try {
    assert.match(service.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${service.url}/healthz`, { client });
    assert.equal(response.status, 200);
    await response.body?.cancel();
  } finally {
    client.close();
    service.child.kill("SIGTERM");
    await service.exited;
  }
});

/** Runs the service with `args`; asserts exit 2 and one line, which it returns. */
async function refusedLine(args: string[]): Promise<string> {
  const { code, output } = await runService(["--store", "memory", "--port", "0", ...args]);
  const lines = output.trim().split("\n");
  assert.equal(code, 2, output);
  assert.equal(lines.length, 1, `one line, no stack trace:\n${output}`);
  return lines[0];
}

Deno.test("main.ts refuses TLS files it cannot use, naming the flag and the file", async () => {
  const missing = `${Deno.makeTempDirSync()}/nope.pem`;
  assert.equal(
    await refusedLine(["--tls-cert", missing, "--tls-key", KEY]),
    `Cannot read --tls-cert ${missing}: no such file`,
  );
  assert.equal(
    await refusedLine(["--tls-cert", CERT, "--tls-key", file("other.key")]),
    `Cannot use --tls-key ${file("other.key")}: it is not the key of the certificate in ` +
      `--tls-cert ${CERT}`,
  );
  assert.equal(
    await refusedLine(["--tls-cert", KEY, "--tls-key", KEY]),
    `Cannot use --tls-cert ${KEY}: it holds no PEM certificate`,
  );
  assert.equal(
    await refusedLine(["--tls-cert", CERT, "--tls-key", CERT]),
    `Cannot use --tls-key ${CERT}: it holds no PEM private key`,
  );
  assert.equal(
    await refusedLine(["--tls-cert", CERT]),
    "Invalid --tls-cert: needs --tls-key as well: give both, or neither for HTTP",
  );
});

Deno.test("readTls() refuses an empty file, naming the flag and the file", async () => {
  // Deno takes an empty certificate or key for none given, and its error said neither file.
  const empty = `${Deno.makeTempDirSync()}/empty.pem`;
  Deno.writeTextFileSync(empty, "\n");
  await assert.rejects(
    () => readTls(empty, KEY),
    (error) =>
      error instanceof TlsError && error.message === `Cannot use --tls-cert ${empty}: it is empty`,
  );
  await assert.rejects(
    () => readTls(CERT, empty),
    (error) =>
      error instanceof TlsError && error.message === `Cannot use --tls-key ${empty}: it is empty`,
  );
});
