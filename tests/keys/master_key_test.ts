/** The master key: what is accepted as one, and matching it by digest. */

import assert from "node:assert/strict";
import {
  MASTER_KEY_MAX_LENGTH,
  MASTER_KEY_MIN_LENGTH,
  MasterKey,
  masterKeyProblem,
} from "../../queue/keys/master_key.ts";
import { digestSecret } from "../../queue/keys/secret_digest.ts";

Deno.test("new MasterKey() refuses a key under 16 characters, naming masterKey, not quoting it", () => {
  assert.equal(MASTER_KEY_MIN_LENGTH, 16);
  const short = "fifteen-chars!!";
  assert.equal(short.length, 15);
  assert.throws(
    () => new MasterKey(short),
    (error: Error) =>
      error instanceof RangeError &&
      error.message === "masterKey must be at least 16 characters, received 15",
  );
  assert.throws(() => new MasterKey(""), RangeError);
  assert.doesNotThrow(() => new MasterKey("sixteen-chars!!!"));
});

Deno.test("new MasterKey() refuses spaces, control and non-ASCII characters, and a huge key", () => {
  for (
    const secret of [
      "has a space in it!!",
      "tab\there-and-more!",
      "ünïcödé-master-key",
      "\x7fdelete-me-please",
    ]
  ) {
    assert.throws(() => new MasterKey(secret), /masterKey must be printable ASCII/, secret);
  }
  assert.throws(
    () => new MasterKey("x".repeat(MASTER_KEY_MAX_LENGTH + 1)),
    /masterKey must be at most 1024 characters, received 1025/,
  );
  assert.doesNotThrow(() => new MasterKey("x".repeat(MASTER_KEY_MAX_LENGTH)));
});

Deno.test("masterKeyProblem() says why without throwing, for a configuration parser", () => {
  assert.equal(masterKeyProblem("0123456789abcdef"), undefined);
  assert.equal(masterKeyProblem("short"), "must be at least 16 characters, received 5");
});

Deno.test("MasterKey.matches() accepts its own digest only", async () => {
  const master = new MasterKey("correct-horse-battery-staple");
  assert.ok(await master.matches(await digestSecret("correct-horse-battery-staple")));
  assert.ok(!await master.matches(await digestSecret("correct-horse-battery-stapl")));
  assert.ok(!await master.matches(await digestSecret("correct-horse-battery-staple ")));
  assert.ok(!await master.matches(new Uint8Array(0)));
});
