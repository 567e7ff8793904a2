import assert from "node:assert/strict";
import {
  assertTransition,
  canTransition,
  FINAL_STATUSES,
  IllegalTransitionError,
  isUnfinished,
  JOB_STATUSES,
  type JobStatus,
} from "../queue/lifecycle.ts";

/** The lifecycle as documented, written out independently of the module's table. */
const ALLOWED: Record<JobStatus, JobStatus[]> = {
  "queued": ["in-progress", "cancelled"],
  "scheduled": ["queued", "cancelled"],
  "in-progress": ["queued", "scheduled", "completed", "failed", "cancelled"],
  "completed": [],
  "failed": [],
  "cancelled": [],
};

const pairs = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to) => [from, to] as const));

Deno.test("JOB_STATUSES lists the six states and FINAL_STATUSES the three final ones", () => {
  assert.deepEqual(
    [...JOB_STATUSES].sort(),
    ["cancelled", "completed", "failed", "in-progress", "queued", "scheduled"],
  );
  assert.deepEqual([...FINAL_STATUSES].sort(), ["cancelled", "completed", "failed"]);
});

Deno.test("canTransition() allows every documented move", () => {
  for (const [from, to] of pairs) {
    if (ALLOWED[from].includes(to)) assert.equal(canTransition(from, to), true, `${from} → ${to}`);
  }
});

Deno.test("canTransition() refuses every other move", () => {
  let refused = 0;
  for (const [from, to] of pairs) {
    if (ALLOWED[from].includes(to)) continue;
    assert.equal(canTransition(from, to), false, `${from} → ${to}`);
    refused++;
  }
  assert.equal(refused, 36 - 9);
});

Deno.test("canTransition() never moves a job out of a final state, nor to the same state", () => {
  for (const from of FINAL_STATUSES) {
    for (const to of JOB_STATUSES) assert.equal(canTransition(from, to), false, `${from} → ${to}`);
  }
  for (const status of JOB_STATUSES) assert.equal(canTransition(status, status), false, status);
});

Deno.test("assertTransition() returns quietly for an allowed move", () => {
  for (const [from, to] of pairs) {
    if (ALLOWED[from].includes(to)) assertTransition("j1", from, to);
  }
});

Deno.test("assertTransition() throws IllegalTransitionError naming the job and states", () => {
  for (const [from, to] of pairs) {
    if (ALLOWED[from].includes(to)) continue;
    assert.throws(
      () => assertTransition("job-7", from, to),
      (error) =>
        error instanceof IllegalTransitionError && error.name === "IllegalTransitionError" &&
        error.jobId === "job-7" && error.from === from && error.to === to &&
        error.message === `Job job-7 cannot move from ${from} to ${to}`,
      `${from} → ${to}`,
    );
  }
});

Deno.test("isUnfinished() is true for queued, scheduled and in-progress only", () => {
  const unfinished = JOB_STATUSES.filter(isUnfinished);
  assert.deepEqual(unfinished, ["queued", "scheduled", "in-progress"]);
  for (const status of FINAL_STATUSES) assert.equal(isUnfinished(status), false, status);
});
