/**
 * `--public-url`, `--allowed-hosts` and `--cors-origins`: read, normalised, and refused with
 * the flag (or variable) named when malformed.
 * @module
 */

import assert from "node:assert/strict";
import type { Config } from "../../../api/config/options.ts";
import { ConfigError, parseConfig } from "../../../api/config/parse.ts";

function config(args: string[], env: Record<string, string> = {}): Config {
  const parsed = parseConfig(args, env, "/srv");
  assert.equal(parsed.help, false);
  return (parsed as { help: false; config: Config }).config;
}

/** The message of the ConfigError that parsing throws. */
function refusal(args: string[], env: Record<string, string> = {}): string {
  try {
    parseConfig(args, env, "/srv");
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail(`${JSON.stringify(args)} ${JSON.stringify(env)} was accepted`);
}

Deno.test("none of them is set by default", () => {
  const parsed = config([]);
  assert.equal(parsed.publicUrl, undefined);
  assert.deepEqual(parsed.allowedHosts, []);
  assert.deepEqual(parsed.corsOrigins, []);
});

Deno.test("--public-url is read as an origin", () => {
  assert.equal(
    config(["--public-url", "HTTPS://Queue.Example.com/"]).publicUrl,
    "https://queue.example.com",
  );
  assert.equal(config(["--public-url", "http://q.lan:8080"]).publicUrl, "http://q.lan:8080");
  assert.equal(
    config([], { DENOQUEUE_PUBLIC_URL: "https://queue.example.com:443" }).publicUrl,
    "https://queue.example.com",
  );
});

Deno.test("--allowed-hosts and --cors-origins read comma lists, flags or variables", () => {
  assert.deepEqual(
    config(["--allowed-hosts", "A.example, b.example:8443,[::1]:9000,"]).allowedHosts,
    ["a.example", "b.example:8443", "[::1]:9000"],
  );
  assert.deepEqual(config([], { DENOQUEUE_ALLOWED_HOSTS: "10.0.0.5" }).allowedHosts, ["10.0.0.5"]);
  assert.deepEqual(
    config(["--cors-origins", "http://app.example:3000, https://App.example/"]).corsOrigins,
    ["http://app.example:3000", "https://app.example"],
  );
  assert.deepEqual(
    config([], { DENOQUEUE_CORS_ORIGINS: "http://localhost:5173" }).corsOrigins,
    ["http://localhost:5173"],
  );
});

Deno.test("a malformed value is refused naming the flag and what it accepts", () => {
  assert.equal(
    refusal(["--public-url", "https://queue.example.com/jobs"]),
    "--public-url: must be the URL users open, like https://queue.example.com (scheme, host " +
      'and an optional port, no path), received "https://queue.example.com/jobs"',
  );
  assert.match(refusal(["--public-url", "queue.example.com"]), /^--public-url: must be the URL/);
  assert.match(refusal(["--public-url", "ftp://q.example"]), /^--public-url: /);
  assert.equal(
    refusal(["--allowed-hosts", "a.example,http://b.example"]),
    "--allowed-hosts: must be host names or addresses with an optional port, comma-separated, " +
      'like a.example,b.example:8443; "http://b.example" is not one',
  );
  assert.match(refusal(["--allowed-hosts", "a.example:99999"]), /^--allowed-hosts: /);
  assert.match(refusal([], { DENOQUEUE_ALLOWED_HOSTS: "a b" }), /^DENOQUEUE_ALLOWED_HOSTS: /);
  assert.match(
    refusal(["--cors-origins", "app.example"]),
    /^--cors-origins: must be origins, comma-separated, .*"app\.example" is not one$/,
  );
  assert.match(refusal(["--cors-origins", "http://app.example/path"]), /^--cors-origins: /);
  assert.match(
    refusal([], { DENOQUEUE_CORS_ORIGINS: "*" }),
    /^DENOQUEUE_CORS_ORIGINS: "\*" would let any site change the queue/,
  );
  assert.match(refusal(["--cors-origins", "null"]), /^--cors-origins: "null" would let any site/);
});
