import assert from "node:assert/strict";
import { helpText } from "../../api/config/help.ts";
import { type Config, envName, OPTIONS } from "../../api/config/options.ts";
import { ConfigError, handlerBase, parseConfig } from "../../api/config/parse.ts";

const CWD = "/srv/app";

/** Parses and insists on a config (not a help request). */
function config(args: string[], env: Record<string, string | undefined> = {}, cwd = CWD): Config {
  const parsed = parseConfig(args, env, cwd);
  assert.equal(parsed.help, false);
  return (parsed as { help: false; config: Config }).config;
}

/**
 * Asserts that parsing throws a ConfigError about `option`, its message starting with what the
 * user wrote (`source`: the flag, or the environment variable).
 */
function assertRefused(
  args: string[],
  env: Record<string, string>,
  option: string,
  source = `--${option}`,
): void {
  assert.throws(
    () => parseConfig(args, env, CWD),
    (error) =>
      error instanceof ConfigError && error.option === option && error.source === source &&
      error.message.startsWith(`${source}: `),
    `${JSON.stringify(args)} ${JSON.stringify(env)}`,
  );
}

Deno.test("parseConfig() fills every option from its default", () => {
  assert.deepEqual(config([]), {
    port: 8080,
    host: "127.0.0.1",
    publicUrl: undefined,
    allowedHosts: [],
    corsOrigins: [],
    masterKey: undefined,
    insecureNoAuth: false,
    workers: navigator.hardwareConcurrency ?? 2,
    concurrency: 16,
    claimAhead: 256,
    capacity: 10_000,
    enqueueWait: 5_000,
    bodyLimit: 1024 * 1024,
    resultLimit: 1024 * 1024,
    httpAllow: [],
    demoSpeed: 1,
    handlers: [],
    shutdownGrace: 10_000,
    killGrace: 5_000,
    closeGrace: 2_000,
    store: "sqlite:./data/denoqueue.db",
    durability: "normal",
    schema: "denoqueue",
    pgSynchronousCommit: "on",
    lease: 30_000,
    heartbeat: 1_000,
    nodeTimeout: 10_000,
    retainCompleted: 24 * 3_600_000,
    retainFailed: 7 * 86_400_000,
    retainCount: 100_000,
    logLevel: "info",
    logFormat: "auto",
    bodyTimeout: 10_000,
    maxRequests: 1024,
    maxRequestsPerClient: 128,
    maxProducerSockets: 32,
    maxProducerSocketsPerClient: 8,
    tlsCert: "",
    tlsKey: "",
    trustProxy: [],
  });
});

Deno.test("parseConfig() reads the log level and format, and names a bad one", () => {
  assert.equal(config(["--log-level", "debug"]).logLevel, "debug");
  assert.equal(config([], { DENOQUEUE_LOG_LEVEL: "warn" }).logLevel, "warn");
  assert.equal(config(["--log-level", "error"], { DENOQUEUE_LOG_LEVEL: "warn" }).logLevel, "error");
  assert.equal(config(["--log-format", "json"]).logFormat, "json");
  assert.equal(config([], { DENOQUEUE_LOG_FORMAT: "pretty" }).logFormat, "pretty");
  assert.throws(
    () => parseConfig(["--log-level", "verbose"], {}, CWD),
    new ConfigError(
      "log-level",
      'must be debug, info, warn or error, received "verbose"',
    ),
  );
  assert.throws(
    () => parseConfig([], { DENOQUEUE_LOG_LEVEL: "INFO" }, CWD),
    {
      message: 'DENOQUEUE_LOG_LEVEL: must be debug, info, warn or error, received "INFO"',
    },
  );
  assert.throws(
    () => parseConfig(["--log-format", "xml"], {}, CWD),
    { message: '--log-format: must be auto, json or pretty, received "xml"' },
  );
});

Deno.test("parseConfig() reads --master-key, refusing a weak one without quoting it", () => {
  const key = "correct-horse-battery-staple";
  assert.equal(config(["--master-key", key]).masterKey, key);
  assert.equal(config([], { DENOQUEUE_MASTER_KEY: `${key}\n` }).masterKey, key);
  assert.throws(
    () => parseConfig(["--master-key", "hunter2"], {}, CWD),
    { message: "--master-key: must be at least 16 characters, received 7" },
  );
  assert.throws(
    () => parseConfig([], { DENOQUEUE_MASTER_KEY: "has spaces in the middle" }, CWD),
    (error) =>
      error instanceof ConfigError && error.message.startsWith("DENOQUEUE_MASTER_KEY: ") &&
      !error.message.includes("spaces in the middle"),
  );
});

Deno.test("parseConfig() refuses an empty --master-key or DENOQUEUE_MASTER_KEY: it meant to turn authentication on", () => {
  // `--master-key "$KEY"` or `DENOQUEUE_MASTER_KEY="$KEY"` with KEY unset would run without keys.
  assertRefused(["--master-key", ""], {}, "master-key");
  assertRefused(["--master-key="], {}, "master-key");
  assertRefused([], { DENOQUEUE_MASTER_KEY: "" }, "master-key", "DENOQUEUE_MASTER_KEY");
  assertRefused([], { DENOQUEUE_MASTER_KEY: " \n" }, "master-key", "DENOQUEUE_MASTER_KEY");
  assert.throws(() => parseConfig(["--master-key", ""], {}, CWD), /leave it out/);
  assert.equal(config([]).masterKey, undefined);
});

Deno.test("parseConfig() reads --insecure-no-auth alone, with a value, or from the environment", () => {
  assert.equal(config(["--insecure-no-auth"]).insecureNoAuth, true);
  assert.equal(config(["--insecure-no-auth", "--port", "9000"]).port, 9000);
  assert.equal(config(["--insecure-no-auth=false"]).insecureNoAuth, false);
  assert.equal(config([], { DENOQUEUE_INSECURE_NO_AUTH: "1" }).insecureNoAuth, true);
  assert.equal(config([], { DENOQUEUE_INSECURE_NO_AUTH: "false" }).insecureNoAuth, false);
  assertRefused(
    [],
    { DENOQUEUE_INSECURE_NO_AUTH: "maybe" },
    "insecure-no-auth",
    "DENOQUEUE_INSECURE_NO_AUTH",
  );
  assertRefused(["--insecure-no-auth=perhaps"], {}, "insecure-no-auth");
});

Deno.test("README's Configuration table has a row for every option, with its variable", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.split("\n## Configuration\n")[1].split("\n## ")[0];
  for (const flag of Object.keys(OPTIONS)) {
    const row = section.split("\n").find((line) => line.startsWith(`| \`--${flag}\``));
    assert.ok(row !== undefined, `no row for --${flag}`);
    assert.ok(row.includes(`\`${envName(flag)}\``), `the row of --${flag} names ${envName(flag)}`);
  }
});

Deno.test("parseConfig() reads the store, durability and retention", () => {
  const parsed = config([
    "--store",
    "memory",
    "--durability",
    "full",
    "--retain-failed",
    "2d",
    "--retain-count",
    "10",
  ]);
  assert.equal(parsed.store, "memory");
  assert.equal(parsed.durability, "full");
  assert.equal(parsed.retainFailed, 2 * 86_400_000);
  assert.equal(parsed.retainCount, 10);
  // 0: completed jobs are removed as they complete.
  assert.equal(config(["--retain-completed", "0"]).retainCompleted, 0);
  assert.equal(config([], { DENOQUEUE_RETAIN_COMPLETED: "0s" }).retainCompleted, 0);
  assert.equal(config([], { DENOQUEUE_STORE: "sqlite:/tmp/x.db" }).store, "sqlite:/tmp/x.db");
  assertRefused(["--store", "redis://x"], {}, "store");
  assertRefused(["--durability", "extreme"], {}, "durability");
});

Deno.test("parseConfig() reads a PostgreSQL store, its schema and commit mode", () => {
  const url = "postgres://queue:pa55@db.internal:5432/jobs";
  const parsed = config(["--store", url, "--schema", "team_a", "--pg-synchronous-commit", "off"]);
  assert.equal(parsed.store, url);
  assert.equal(parsed.schema, "team_a");
  assert.equal(parsed.pgSynchronousCommit, "off");
  const fromEnv = config([], {
    DENOQUEUE_STORE: "postgresql://queue@db/jobs",
    DENOQUEUE_SCHEMA: "dq",
    DENOQUEUE_PG_SYNCHRONOUS_COMMIT: "on",
  });
  assert.deepEqual(
    [fromEnv.store, fromEnv.schema, fromEnv.pgSynchronousCommit],
    ["postgresql://queue@db/jobs", "dq", "on"],
  );
  assertRefused(["--schema", "Team-A"], {}, "schema");
  assertRefused(["--schema", "x".repeat(51)], {}, "schema");
  assertRefused([], { DENOQUEUE_SCHEMA: "" }, "schema", "DENOQUEUE_SCHEMA");
  assertRefused(["--pg-synchronous-commit", "local"], {}, "pg-synchronous-commit");
  assertRefused(["--store", "postgres://queue:pa55@db.internal:5432"], {}, "store");
});

Deno.test("parseConfig() never repeats a store URL's password", () => {
  for (const store of ["postgres://queue:pa55@db.internal:5432", "redis://queue:pa55@cache"]) {
    assert.throws(
      () => parseConfig(["--store", store], {}, CWD),
      (error) =>
        error instanceof ConfigError && !error.message.includes("pa55") &&
        error.message.includes("queue:***@"),
    );
  }
  assert.throws(
    () => parseConfig(["--store", "postgres://queue:pa55@db.internal:5432"], {}, CWD),
    {
      message: "--store: must be memory, sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/" +
        'DATABASE (the URL names no database), received "postgres://queue:***@db.internal:5432"',
    },
  );
});

Deno.test("parseConfig() reads DENOQUEUE_* variables", () => {
  const parsed = config([], {
    DENOQUEUE_ENQUEUE_WAIT: "2s",
    DENOQUEUE_CAPACITY: "50",
    DENOQUEUE_HOST: "0.0.0.0",
    DENOQUEUE_DEMO_SPEED: "0.01",
    DENOQUEUE_RESULT_LIMIT: "64kb",
  });
  assert.equal(parsed.enqueueWait, 2_000);
  assert.equal(parsed.capacity, 50);
  assert.equal(parsed.host, "0.0.0.0");
  assert.equal(parsed.demoSpeed, 0.01);
  assert.equal(parsed.resultLimit, 64 * 1024);
});

Deno.test("parseConfig() lets flags beat the environment", () => {
  const env = { DENOQUEUE_ENQUEUE_WAIT: "2s", DENOQUEUE_WORKERS: "3", PORT: "7000" };
  const parsed = config(["--enqueue-wait", "250ms", "--workers=5", "--port", "9000"], env);
  assert.equal(parsed.enqueueWait, 250);
  assert.equal(parsed.workers, 5);
  assert.equal(parsed.port, 9000);
});

Deno.test("parseConfig() honours PORT, below DENOQUEUE_PORT", () => {
  assert.equal(config([], { PORT: "3000" }).port, 3000);
  assert.equal(config([], { PORT: "3000", DENOQUEUE_PORT: "4000" }).port, 4000);
});

Deno.test("parseConfig() reads durations in ms, s, m and plain milliseconds", () => {
  const cases: [string, number][] = [
    ["500ms", 500],
    ["5s", 5_000],
    ["2m", 120_000],
    ["1.5s", 1_500],
    ["750", 750],
    ["0", 0],
    ["1h", 3_600_000],
  ];
  for (const [text, ms] of cases) {
    assert.equal(config(["--shutdown-grace", text]).shutdownGrace, ms, text);
  }
});

Deno.test("parseConfig() reads sizes in b, kb, mb and plain bytes", () => {
  const cases: [string, number][] = [
    ["1mb", 1024 * 1024],
    ["512kb", 512 * 1024],
    ["65536", 65_536],
    ["2KiB", 2048],
    ["1gb", 1024 ** 3],
  ];
  for (const [text, bytes] of cases) {
    assert.equal(config(["--body-limit", text]).bodyLimit, bytes, text);
    assert.equal(config(["--result-limit", text]).resultLimit, bytes, text);
  }
});

Deno.test("parseConfig() throws ConfigError naming the option for a bad value", () => {
  assertRefused(["--port", "http"], {}, "port");
  assertRefused(["--port", "65536"], {}, "port");
  assertRefused([], { PORT: "eighty" }, "port", "PORT");
  assertRefused(["--workers", "0"], {}, "workers");
  assertRefused(["--concurrency", "1.5"], {}, "concurrency");
  assertRefused(["--capacity", ""], {}, "capacity");
  assertRefused([], { DENOQUEUE_ENQUEUE_WAIT: "soon" }, "enqueue-wait", "DENOQUEUE_ENQUEUE_WAIT");
  assertRefused(["--enqueue-wait", "10m"], {}, "enqueue-wait"); // past the 5-minute maximum
  assertRefused(["--body-limit", "1tb"], {}, "body-limit");
  assertRefused(["--body-limit", "10"], {}, "body-limit"); // under the 1 KiB minimum
  assertRefused(["--result-limit", "2gb"], {}, "result-limit");
  assertRefused([], { DENOQUEUE_RESULT_LIMIT: "lots" }, "result-limit", "DENOQUEUE_RESULT_LIMIT");
  assertRefused(["--demo-speed", "fast"], {}, "demo-speed");
  assertRefused(["--host", "  "], {}, "host");
  assertRefused(["--kill-grace=-1s"], {}, "kill-grace");
});

Deno.test("parseConfig() throws ConfigError for an unknown flag or a positional", () => {
  for (const args of [["--bogus", "1"], ["stray"]]) {
    assert.throws(
      () => parseConfig(args, {}, CWD),
      (error) => error instanceof ConfigError && /see --help/.test(error.message),
      args.join(" "),
    );
  }
});

Deno.test("parseConfig() names what the user wrote and the accepted form", () => {
  const message = (args: string[], env: Record<string, string> = {}) => {
    try {
      parseConfig(args, env, CWD);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
    assert.fail(`${JSON.stringify(args)} ${JSON.stringify(env)} was accepted`);
  };
  assert.equal(
    message(["--capacity", "-1"]),
    '--capacity: must be a whole number from 1 to 100000000, received "-1"',
  );
  assert.equal(message(["--bogus"]), "--bogus: is not an option (see --help)");
  assert.equal(message(["--port"]), "--port: needs a value, e.g. --port 8080");
  assert.equal(message(["--port", "--host", "0.0.0.0"]), "--port: needs a value, e.g. --port 8080");
  assert.equal(
    message([], { DENOQUEUE_PORT: "abc" }),
    'DENOQUEUE_PORT: must be a whole number from 0 to 65535, received "abc"',
  );
  assert.equal(
    message([], { PORT: "xyz" }),
    'PORT: must be a whole number from 0 to 65535, received "xyz"',
  );
  assert.match(message(["stray"]), /^"stray": unexpected argument/);
});

Deno.test("parseConfig() reads the flags after a -- that deno task passes on", () => {
  assert.equal(config(["--", "--port", "9000", "--store", "memory"]).port, 9000);
});

Deno.test("parseConfig() returns a help request for --help and -h", () => {
  assert.deepEqual(parseConfig(["--help"], {}, CWD), { help: true });
  assert.deepEqual(parseConfig(["-h", "--port", "nonsense"], {}, CWD), { help: true });
});

Deno.test("parseConfig() resolves --handlers paths to file URLs against cwd", () => {
  assert.deepEqual(config(["--handlers", "./x.ts"]).handlers, ["file:///srv/app/x.ts"]);
  assert.deepEqual(config(["--handlers", "x.ts"], {}, "/srv/app/").handlers, [
    "file:///srv/app/x.ts",
  ]);
  assert.deepEqual(
    config(["--handlers", "../lib/a.ts, /abs/b.ts,https://example.com/c.ts,file:///d.ts"]).handlers,
    ["file:///srv/lib/a.ts", "file:///abs/b.ts", "https://example.com/c.ts", "file:///d.ts"],
  );
  assert.deepEqual(config([], { DENOQUEUE_HANDLERS: "./env.ts" }).handlers, [
    "file:///srv/app/env.ts",
  ]);
});

Deno.test("handlerBase() is the working directory, or a compiled executable's own folder", () => {
  const entry = "file:///tmp/deno-compile-denoqueue/main.ts";
  assert.equal(handlerBase(false, CWD, entry), CWD);
  const compiled = handlerBase(true, CWD, entry);
  assert.equal(compiled, "/tmp/deno-compile-denoqueue/");
  // In the executable, the path typed when compiling names the module compiled in.
  assert.deepEqual(config(["--handlers", "./my_handlers.ts"], {}, compiled).handlers, [
    "file:///tmp/deno-compile-denoqueue/my_handlers.ts",
  ]);
});

Deno.test("parseConfig() reads the limits, TLS files and trusted proxies", () => {
  const parsed = config([
    "--body-timeout",
    "2s",
    "--max-requests",
    "50",
    "--max-requests-per-client=5",
    "--max-producer-sockets",
    "4",
    "--max-producer-sockets-per-client",
    "2",
    "--tls-cert",
    "tls/cert.pem",
    "--tls-key",
    "/etc/denoqueue/key.pem",
    "--trust-proxy",
    "loopback, 10.0.0.0/8,fd00::1",
  ]);
  assert.equal(parsed.bodyTimeout, 2_000);
  assert.equal(parsed.maxRequests, 50);
  assert.equal(parsed.maxRequestsPerClient, 5);
  assert.equal(parsed.maxProducerSockets, 4);
  assert.equal(parsed.maxProducerSocketsPerClient, 2);
  assert.equal(parsed.tlsCert, "/srv/app/tls/cert.pem");
  assert.equal(parsed.tlsKey, "/etc/denoqueue/key.pem");
  assert.deepEqual(parsed.trustProxy, ["loopback", "10.0.0.0/8", "fd00::1"]);
  assert.deepEqual(config([], { DENOQUEUE_TRUST_PROXY: "192.168.0.1" }).trustProxy, [
    "192.168.0.1",
  ]);
});

Deno.test("parseConfig() refuses a bad proxy address, naming it, and one TLS file alone", () => {
  const message = (args: string[], env: Record<string, string> = {}) => {
    try {
      parseConfig(args, env, CWD);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
    assert.fail(`${JSON.stringify(args)} was accepted`);
  };
  assert.match(
    message(["--trust-proxy", "loopback,10.0.0.0/33"]),
    /^--trust-proxy: "10\.0\.0\.0\/33" has a prefix length that is not 0 to 32: give addresses/,
  );
  assert.match(
    message([], { DENOQUEUE_TRUST_PROXY: "true" }),
    /^DENOQUEUE_TRUST_PROXY: "true" is not an IP address or CIDR range/,
  );
  assert.equal(
    message(["--tls-cert", "cert.pem"]),
    "--tls-cert: needs --tls-key as well: give both, or neither for HTTP",
  );
  assert.equal(
    message([], { DENOQUEUE_TLS_KEY: "key.pem" }),
    "DENOQUEUE_TLS_KEY: needs --tls-cert as well: give both, or neither for HTTP",
  );
  assertRefused(["--body-timeout", "50ms"], {}, "body-timeout"); // under the 100 ms minimum
  assertRefused(["--max-requests", "0"], {}, "max-requests");
  assertRefused(["--max-producer-sockets-per-client", "x"], {}, "max-producer-sockets-per-client");
});

Deno.test("parseConfig() reads --http-allow and refuses an entry it cannot read, naming it", () => {
  assert.deepEqual(
    config(["--http-allow", "hooks.internal, 127.0.0.1:9000,[::1]:9001,10.0.0.0/8,,"]).httpAllow,
    ["hooks.internal", "127.0.0.1:9000", "[::1]:9001", "10.0.0.0/8"],
  );
  assert.deepEqual(config([], { DENOQUEUE_HTTP_ALLOW: "localhost" }).httpAllow, ["localhost"]);
  assert.throws(() => parseConfig(["--http-allow", "localhost,10.0.0.0/8:80"], {}, CWD), {
    name: "ConfigError",
    message: '--http-allow: "10.0.0.0/8:80" is not a host name, address or CIDR range (with an ' +
      "optional :port): give host names (hooks.internal), host:port (127.0.0.1:9000, " +
      "[::1]:9000), addresses or CIDR ranges (10.0.0.0/8), comma-separated",
  });
  assertRefused(
    [],
    { DENOQUEUE_HTTP_ALLOW: "http://hooks.internal" },
    "http-allow",
    "DENOQUEUE_HTTP_ALLOW",
  );
});

Deno.test("envName() maps a flag to its DENOQUEUE_ variable", () => {
  assert.equal(envName("enqueue-wait"), "DENOQUEUE_ENQUEUE_WAIT");
  assert.equal(envName("port"), "DENOQUEUE_PORT");
});

Deno.test("helpText() lists every option with its env name, and --help", () => {
  const text = helpText();
  const flags = Object.keys(OPTIONS);
  assert.ok(flags.length >= 11);
  for (const flag of flags) {
    const usage = OPTIONS[flag].kind === "boolean" ? `  --${flag}\n` : `  --${flag} <value>\n`;
    assert.ok(text.includes(usage), `--${flag}`);
    assert.ok(text.includes(`Env ${envName(flag)};`), envName(flag));
  }
  assert.match(text, /-h, --help/);
  assert.match(text, /default 8080/);
});

Deno.test("parseConfig() refuses a --node-timeout under two heartbeats, naming it", () => {
  assert.throws(
    () => parseConfig(["--heartbeat", "2s", "--node-timeout", "3s"], {}, CWD),
    (error: Error) =>
      error instanceof ConfigError &&
      error.message ===
        "--node-timeout: must be at least twice --heartbeat (2000 ms), received 3000 ms",
  );
  assert.throws(
    () => parseConfig([], { DENOQUEUE_NODE_TIMEOUT: "1s" }, CWD),
    /^ConfigError: DENOQUEUE_NODE_TIMEOUT: must be at least twice --heartbeat \(1000 ms\)/,
  );
  const parsed = parseConfig(["--heartbeat", "500ms"], {}, CWD);
  assert.equal(!parsed.help && parsed.config.nodeTimeout, 10_000);
});
