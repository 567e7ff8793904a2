/**
 * Checking a destination: a literal address is checked as it is, a name by every address it
 * resolves to (a custom lookup stands in for DNS), `--http-allow` lets some through, and a
 * name that does not resolve is an ordinary (retryable) error.
 */

import assert from "node:assert/strict";
import { UnrecoverableError } from "../../../queue/errors.ts";
import { HttpAllowList } from "../../../queue/handlers/http/allow_list.ts";
import {
  checkDestination,
  type Lookup,
  RefusedDestinationError,
} from "../../../queue/handlers/http/destination.ts";

/** A resolver from a table; counts its calls. */
function table(entries: Record<string, string[]>): Lookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (host: string) => {
    calls.push(host);
    const addresses = entries[host];
    if (addresses === undefined) {
      return Promise.reject(Object.assign(new Error("not found"), { code: "ENOTFOUND" }));
    }
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );
  };
  return Object.assign(lookup, { calls });
}

const NONE = HttpAllowList.NONE;

Deno.test("checkDestination() refuses a literal address in a refused range without resolving", async () => {
  const lookup = table({});
  for (
    const [url, message] of [
      ["http://127.0.0.1:9000/hook", "127.0.0.1 is in a refused range: loopback (127.0.0.0/8)"],
      ["http://10.0.0.1/", "10.0.0.1 is in a refused range: private (10.0.0.0/8)"],
      [
        "http://169.254.169.254/latest/meta-data/",
        "169.254.169.254 is in a refused range: cloud metadata (169.254.169.254/32)",
      ],
      ["http://[::1]:8080/", "::1 is in a refused range: loopback (::1/128)"],
      [
        "http://[::ffff:127.0.0.1]/",
        "::ffff:7f00:1 is in a refused range: loopback (127.0.0.0/8)",
      ],
      ["http://0.0.0.0:8080/", "0.0.0.0 is in a refused range: unspecified (0.0.0.0/8)"],
      ["http://2130706433/", "127.0.0.1 is in a refused range: loopback"],
    ]
  ) {
    const error = await checkDestination(new URL(url), { allow: NONE, lookup }).then(
      () => assert.fail(`${url} was let through`),
      (error) => error,
    );
    assert.ok(error instanceof RefusedDestinationError, url);
    assert.ok(error instanceof UnrecoverableError, "no retry helps");
    assert.equal(error.name, "RefusedDestinationError");
    assert.ok(error.message.startsWith(`Refused ${new URL(url).href}: ${message}`), error.message);
    assert.ok(error.message.endsWith("; list it in --http-allow to call it"), error.message);
  }
  assert.deepEqual(lookup.calls, []);
});

Deno.test("checkDestination() refuses a name if any address it resolves to is refused", async () => {
  const lookup = table({
    "localhost": ["127.0.0.1", "::1"],
    "mixed.example": ["93.184.215.14", "10.1.2.3"],
    "metadata.google.internal": ["169.254.169.254"],
  });
  await assert.rejects(
    checkDestination(new URL("http://localhost:9000/"), { allow: NONE, lookup }),
    {
      name: "RefusedDestinationError",
      message: "Refused http://localhost:9000/: localhost resolves to 127.0.0.1, which is in a " +
        "refused range: loopback (127.0.0.0/8); list it in --http-allow to call it",
    },
  );
  await assert.rejects(
    checkDestination(new URL("https://mixed.example/"), { allow: NONE, lookup }),
    /mixed\.example resolves to 10\.1\.2\.3, which is in a refused range: private/,
  );
  await assert.rejects(
    checkDestination(new URL("http://metadata.google.internal/computeMetadata/v1/"), {
      allow: NONE,
      lookup,
    }),
    /resolves to 169\.254\.169\.254, which is in a refused range: cloud metadata/,
  );
});

Deno.test("checkDestination() returns every address of a name it lets through, with the port", async () => {
  const lookup = table({
    "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  });
  const destination = await checkDestination(new URL("https://public.example/x?y=1"), {
    allow: NONE,
    lookup,
  });
  assert.equal(destination.host, "public.example");
  assert.equal(destination.port, 443);
  assert.deepEqual(destination.addresses, [
    { address: "93.184.215.14", family: 4 },
    { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 },
  ]);
  const literal = await checkDestination(new URL("http://[2606:4700::1111]/"), { allow: NONE });
  assert.deepEqual(literal.addresses, [{ address: "2606:4700::1111", family: 6 }]);
  assert.equal(literal.port, 80);
});

Deno.test("checkDestination() lets through what --http-allow lists, at its port", async () => {
  const lookup = table({ "hooks.internal": ["10.0.0.7"], "localhost": ["127.0.0.1"] });
  const allow = HttpAllowList.parse(["hooks.internal", "127.0.0.1:9000"]);
  const named = await checkDestination(new URL("http://hooks.internal:81/"), { allow, lookup });
  assert.deepEqual(named.addresses, [{ address: "10.0.0.7", family: 4 }]);
  const byAddress = await checkDestination(new URL("http://localhost:9000/"), { allow, lookup });
  assert.deepEqual(byAddress.addresses, [{ address: "127.0.0.1", family: 4 }]);
  await assert.rejects(
    checkDestination(new URL("http://127.0.0.1:9001/"), { allow, lookup }),
    RefusedDestinationError,
  );
});

Deno.test("checkDestination() names the hop it checks, and a name that does not resolve", async () => {
  const lookup = table({});
  await assert.rejects(
    checkDestination(new URL("http://127.0.0.1/"), {
      allow: NONE,
      lookup,
      label: "redirect 2 (to http://127.0.0.1/)",
    }),
    { message: /^Refused redirect 2 \(to http:\/\/127\.0\.0\.1\/\): 127\.0\.0\.1 is in/ },
  );
  const error = await checkDestination(new URL("http://nowhere.invalid/"), { allow: NONE, lookup })
    .catch((error) => error);
  assert.equal(
    error.message,
    "Cannot resolve nowhere.invalid for http://nowhere.invalid/: ENOTFOUND",
  );
  assert.ok(!(error instanceof UnrecoverableError), "DNS may answer on a retry");
});
