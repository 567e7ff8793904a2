/**
 * The result limit: what a result's JSON weighs, the error that names the limit, and a pool that
 * fails an oversized result for good, without retrying it.
 */

import assert from "node:assert/strict";
import { formatSize, resultProblem } from "../../queue/pool/result_limit.ts";
import { poolHarness } from "../support/pool_harness.ts";
import { deadline } from "../support/wait.ts";

const MB = 1024 * 1024;

Deno.test("formatSize() writes bytes, KB, MB and GB, with a decimal only when needed", () => {
  assert.equal(formatSize(0), "0 bytes");
  assert.equal(formatSize(1023), "1023 bytes");
  assert.equal(formatSize(1024), "1 KB");
  assert.equal(formatSize(1536), "1.5 KB");
  assert.equal(formatSize(MB), "1 MB");
  assert.equal(formatSize(20 * MB + 2), "20.0 MB");
  assert.equal(formatSize(3 * 1024 * MB), "3 GB");
});

Deno.test("resultProblem() names the size and the limit of a result over it", () => {
  assert.equal(
    resultProblem("x".repeat(20 * MB), MB),
    "Result is 20.0 MB, over the result limit of 1 MB (--result-limit)",
  );
  assert.equal(resultProblem({ ok: true }, MB), undefined);
  assert.equal(resultProblem(undefined, 1024), undefined);
  assert.equal(resultProblem("x".repeat(1022), 1024), undefined, "1,024 bytes with the quotes");
  assert.match(
    resultProblem("x".repeat(1023), 1024) ?? "",
    /^Result is 1.0 KB, over the result limit of 1 KB/,
  );
});

Deno.test("resultProblem() counts the JSON's UTF-8 bytes, not its characters", () => {
  // 600 characters of 2 bytes each: 1,202 bytes of JSON, over 1 KB though 602 characters long.
  assert.match(resultProblem("é".repeat(600), 1024) ?? "", /^Result is 1.2 KB, over/);
  // An emoji is 2 UTF-16 units and 4 bytes: 300 of them, 1,202 bytes.
  assert.match(resultProblem("😀".repeat(300), 1024) ?? "", /^Result is 1.2 KB, over/);
  assert.equal(resultProblem("😀".repeat(255), 1024), undefined, "1,022 bytes");
  // Escapes count as written: a newline is 2 bytes of JSON.
  assert.match(resultProblem("\n".repeat(600), 1024) ?? "", /^Result is 1.2 KB, over/);
});

Deno.test("resultProblem() refuses a result that is not JSON", () => {
  assert.match(
    resultProblem({ id: 1n }, MB) ?? "",
    /^The handler's result cannot be stored as JSON: .*BigInt/,
  );
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.match(resultProblem(cycle, MB) ?? "", /^The handler's result cannot be stored as JSON/);
});

Deno.test("WorkerPool fails a result over its limit at once, without retries", async () => {
  const harness = await poolHarness({ resultLimit: 1024 });
  try {
    await deadline(harness.pool.start(), { message: "the pool to start" });
    // t-big-result allows 3 attempts: an oversized result is not worth another.
    const [big, small] = await harness.queue.enqueue([
      { type: "t-big-result", payload: { bytes: 4096 } },
      { type: "t-big-result", payload: { bytes: 100 } },
    ]);
    const failed = await harness.final(big.id);
    assert.equal(failed.status, "failed");
    assert.equal(failed.attempts.length, 1);
    assert.equal(failed.error, "Result is 4.0 KB, over the result limit of 1 KB (--result-limit)");
    assert.equal(failed.result, undefined);
    const done = await harness.final(small.id);
    assert.equal(done.result, "x".repeat(100));
  } finally {
    await harness.close();
  }
});
