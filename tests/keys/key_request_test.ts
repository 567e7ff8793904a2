/** Checking a request for a key: each field refused with a ValidationError that names it. */

import assert from "node:assert/strict";
import { ValidationError } from "../../queue/errors.ts";
import { checkKeyRequest, type KeyRequest } from "../../queue/keys/key_request.ts";

const NOW = Date.UTC(2030, 0, 1, 12);

function refused(request: unknown, field: string, message: RegExp): void {
  assert.throws(
    () => checkKeyRequest(request as KeyRequest, NOW),
    (error: Error) =>
      error instanceof ValidationError && error.field === field && message.test(error.message),
    JSON.stringify(request),
  );
}

Deno.test("checkKeyRequest() keeps a good request, trimming the name and writing the expiry in ISO form", () => {
  assert.deepEqual(checkKeyRequest({ name: "ci", role: "admin" }, NOW), {
    name: "ci",
    role: "admin",
  });
  assert.deepEqual(
    checkKeyRequest(
      { name: "  deploy bot ", role: "viewer", expiresAt: "2030-01-01T14:30+01:00" },
      NOW,
    ),
    {
      name: "deploy bot",
      role: "viewer",
      expiresAt: "2030-01-01T13:30:00.000Z",
    },
  );
});

Deno.test("checkKeyRequest() refuses a name empty, blank, too long, with control characters or not a string", () => {
  refused({ role: "admin" }, "name", /non-empty string/);
  refused({ name: "", role: "admin" }, "name", /non-empty string/);
  refused({ name: "   ", role: "admin" }, "name", /non-empty string/);
  refused({ name: 7, role: "admin" }, "name", /non-empty string/);
  refused({ name: "x".repeat(101), role: "admin" }, "name", /at most 100 characters, received 101/);
  refused({ name: "two\nlines", role: "admin" }, "name", /control characters/);
  refused({ name: "bell\x07", role: "admin" }, "name", /control characters/);
  assert.equal(checkKeyRequest({ name: "x".repeat(100), role: "admin" }, NOW).name.length, 100);
  assert.equal(
    checkKeyRequest({ name: "🔑".repeat(100), role: "admin" }, NOW).name,
    "🔑".repeat(100),
    "characters, not UTF-16 units",
  );
});

Deno.test("checkKeyRequest() refuses a role that is not admin, producer or viewer", () => {
  for (const role of [undefined, "", "root", "Admin", "ADMIN", 1, null]) {
    refused({ name: "ci", role }, "role", /role must be one of admin, producer, viewer/);
  }
});

Deno.test("checkKeyRequest() refuses an expiry that is not an ISO date with a zone, not a day, or not in the future", () => {
  for (
    const expiresAt of [
      "tomorrow",
      "2031-01-01T12:00",
      "Jan 1 2031",
      "2031-13-01",
      "2031-02-30",
      "20310101",
      1925035200000,
      null,
      "+012031-01-01",
      "10000-01-01",
    ]
  ) {
    refused({ name: "ci", role: "admin", expiresAt }, "expiresAt", /ISO 8601/);
  }
  for (const expiresAt of ["2029-12-31", "2030-01-01T12:00:00Z", "2030-01-01T11:59:59.999Z"]) {
    refused({ name: "ci", role: "admin", expiresAt }, "expiresAt", /in the future/);
  }
  assert.equal(
    checkKeyRequest({ name: "ci", role: "admin", expiresAt: "2030-01-01T12:00:00.001Z" }, NOW)
      .expiresAt,
    "2030-01-01T12:00:00.001Z",
  );
  assert.equal(
    checkKeyRequest({ name: "ci", role: "admin", expiresAt: "2031-01-01" }, NOW).expiresAt,
    "2031-01-01T00:00:00.000Z",
  );
});
