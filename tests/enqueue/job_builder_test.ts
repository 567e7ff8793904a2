/**
 * buildJob: a producer's request turned into a new job, or a ValidationError naming the field.
 */

import assert from "node:assert/strict";
import { DEFAULT_BACKOFF } from "../../queue/backoff.ts";
import { buildJob } from "../../queue/enqueue/job_builder.ts";
import { ValidationError } from "../../queue/errors.ts";
import { DEFAULT_TIMEOUT } from "../../queue/handlers/define.ts";
import { HandlerRegistry } from "../../queue/handlers/registry.ts";
import type { NewJob } from "../../queue/job.ts";
import { FIXTURES, hangs, throws } from "../fixtures/handlers.ts";

const registry = await HandlerRegistry.load([FIXTURES]);
const NOW = 1_700_000_000_000;

/** The ValidationError `buildJob` throws for `item`. */
function refusal(item: unknown, prefix = ""): ValidationError {
  try {
    buildJob(registry, item as NewJob, prefix, NOW);
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error;
  }
  assert.fail("buildJob accepted the item");
}

Deno.test("buildJob() makes a queued job, ready now, with the parsed payload", () => {
  const job = buildJob(registry, { type: "sleep", payload: { ms: 5 } }, "", NOW);
  assert.equal(job.status, "queued");
  assert.equal(job.type, "sleep");
  assert.deepEqual(job.payload, { ms: 5 });
  assert.equal(job.runAt, NOW);
  assert.equal(job.createdAt, NOW);
  assert.equal(job.updatedAt, NOW);
  assert.deepEqual([job.attempts, job.logs, job.progress], [[], [], 0]);
  assert.equal("retryOf" in job, false);
});

Deno.test("buildJob() makes a delayed job scheduled, due at now + delay", () => {
  const delay = 2_500;
  const job = buildJob(registry, { type: "noop", payload: {}, options: { delay } }, "", NOW);
  assert.equal(job.status, "scheduled");
  assert.equal(job.runAt, NOW + delay);
  const zero = buildJob(registry, { type: "noop", payload: {}, options: { delay: 0 } }, "", NOW);
  assert.equal(zero.status, "queued");
  assert.equal(zero.runAt, NOW);
});

Deno.test("buildJob() fills in the type's retry policy and timeout", () => {
  const job = buildJob(registry, { type: throws.type, payload: null }, "", NOW);
  assert.equal(job.maxAttempts, throws.retry?.maxAttempts);
  assert.equal(job.timeout, DEFAULT_TIMEOUT);
  assert.deepEqual(job.backoff, { ...DEFAULT_BACKOFF, ...throws.retry?.backoff });
  const other = buildJob(registry, { type: hangs.type, payload: null }, "", NOW);
  assert.equal(other.timeout, hangs.timeout);
  assert.equal(other.maxAttempts, hangs.retry?.maxAttempts);
});

Deno.test("buildJob() lets per-job options override the type's", () => {
  const options = { maxAttempts: 7, timeout: 1234 };
  const job = buildJob(registry, { type: throws.type, payload: null, options }, "", NOW);
  assert.equal(job.maxAttempts, options.maxAttempts);
  assert.equal(job.timeout, options.timeout);
});

Deno.test("buildJob() merges a per-job backoff over the type's", () => {
  const policy = registry.policy(throws.type).backoff;
  const options = { backoff: { factor: policy.factor + 1 } };
  const job = buildJob(registry, { type: throws.type, payload: null, options }, "", NOW);
  assert.deepEqual(job.backoff, { base: policy.base, factor: policy.factor + 1, cap: policy.cap });
  assert.equal(registry.policy(throws.type).backoff.factor, policy.factor, "policy untouched");
});

Deno.test("buildJob() keeps retryOf of a manual retry", () => {
  const job = buildJob(registry, { type: "noop", payload: {}, retryOf: "abc" }, "", NOW);
  assert.equal(job.retryOf, "abc");
});

Deno.test("buildJob() names a bad option with the prefix, code invalid_options", () => {
  const error = refusal({ type: "noop", payload: {}, options: { maxAttempts: 0 } }, "[2].");
  assert.equal(error.field, "[2].options.maxAttempts");
  assert.equal(error.code, "invalid_options");
  assert.match(error.message, /^\[2\]\.options\.maxAttempts: /);
});

Deno.test("buildJob() names a nested backoff option and an unknown option key", () => {
  const nested = refusal({ type: "noop", payload: {}, options: { backoff: { factor: 0.5 } } });
  assert.equal(nested.field, "options.backoff.factor");
  assert.equal(nested.code, "invalid_options");
  const unknown = refusal({ type: "noop", payload: {}, options: { priority: 1 } }, "[0].");
  assert.equal(unknown.field, "[0].options.priority");
  assert.equal(unknown.code, "invalid_options");
});

Deno.test("buildJob() refuses a type that is not a string, naming field type", () => {
  assert.equal(refusal({ type: 42, payload: {} }).field, "type");
  assert.equal(refusal({ type: undefined, payload: {} }, "[1].").field, "[1].type");
});

Deno.test("buildJob() refuses an unknown type and a bad payload with the registry's codes", () => {
  const unknown = refusal({ type: "no-such-type", payload: {} }, "[3].");
  assert.deepEqual([unknown.field, unknown.code], ["[3].type", "unknown_type"]);
  const payload = refusal({ type: "sleep", payload: { ms: -1 } }, "[3].");
  assert.deepEqual([payload.field, payload.code], ["[3].payload.ms", "invalid_payload"]);
});
