/**
 * The parts of a `kill -9` durability run every store shares: enqueue over HTTP, stop the
 * process, count the side file's executions and check each acknowledged job after the restart.
 */

import assert from "node:assert/strict";
import type { ServiceProcess } from "./process.ts";
import { waitFor } from "./wait.ts";

/** POSTs one job or a batch to `/api/jobs`. */
export async function postJobs(url: string, jobs: unknown): Promise<Response> {
  return await fetch(`${url}/api/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(jobs),
  });
}

/** Resolves once every job of `ids` is `in-progress` (10 s at most). */
export async function allRunning(url: string, ids: string[]): Promise<void> {
  await waitFor(async () => {
    const jobs = await Promise.all(
      ids.map((id) => fetch(`${url}/api/jobs/${id}`).then((response) => response.json())),
    );
    return jobs.every((job) => job.status === "in-progress");
  }, { timeout: 10_000, interval: 20, message: "the jobs to start" });
}

/** POSTs `jobs` as one batch, then resolves with their ids once every one is `in-progress`. */
export async function runningJobs(url: string, jobs: unknown[]): Promise<string[]> {
  const response = await postJobs(url, jobs);
  assert.equal(response.status, 201);
  const ids: string[] = (await response.json()).map((job: { id: string }) => job.id);
  await allRunning(url, ids);
  return ids;
}

/** Sends `signal` to the service (if it still runs) and resolves with how it exited. */
export async function stop(
  service: ServiceProcess,
  signal: Deno.Signal,
): Promise<Deno.CommandStatus> {
  try {
    service.child.kill(signal);
  } catch { /* gone already */ }
  return await service.exited;
}

/** Runs `lanes` enqueuers over `requests`; resolves with the ids acknowledged (201). */
export async function enqueueAll(
  url: string,
  requests: unknown[],
  lanes: number,
): Promise<Set<string>> {
  const acknowledged = new Set<string>();
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      try {
        const response = await postJobs(url, requests[next++]);
        if (response.status !== 201) {
          await response.body?.cancel();
          continue;
        }
        const created = await response.json();
        for (const { id } of Array.isArray(created) ? created : [created]) acknowledged.add(id);
      } catch (error) {
        throw new Error(`enqueue failed before the kill: ${error}`);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return acknowledged;
}

/** How many times each job id ran, from the side file `t-records` writes a line to per run. */
export function executionCounts(sideFile: string): Map<string, number> {
  const executions = new Map<string, number>();
  for (const line of Deno.readTextFileSync(sideFile).trim().split("\n")) {
    const [id] = line.split(" ");
    executions.set(id, (executions.get(id) ?? 0) + 1);
  }
  return executions;
}

/** What {@linkcode checkAcknowledged} found. */
export interface CrashTally {
  /** Acknowledged jobs the restarted service does not know. */
  missing: number;
  /** Jobs with an attempt interrupted by the kill. */
  interrupted: number;
  /** Jobs that ran more than once. */
  twice: number;
}

/**
 * Asserts every acknowledged job the service knows ended completed and ran, and that a job
 * ran twice only if an attempt of it was interrupted (its error matching `interruptedBy`).
 */
export async function checkAcknowledged(
  url: string,
  acknowledged: Set<string>,
  executions: Map<string, number>,
  interruptedBy: RegExp,
): Promise<CrashTally> {
  const tally: CrashTally = { missing: 0, interrupted: 0, twice: 0 };
  for (const id of acknowledged) {
    const response = await fetch(`${url}/api/jobs/${id}`);
    if (response.status === 404) {
      tally.missing++;
      await response.body?.cancel();
      continue;
    }
    const job = await response.json();
    assert.equal(job.status, "completed", `job ${id} ends completed`);
    const wasRunning = job.attempts.some((a: { outcome: string; error?: string }) =>
      a.outcome === "interrupted" && interruptedBy.test(a.error ?? "")
    );
    if (wasRunning) tally.interrupted++;
    const runs = executions.get(id) ?? 0;
    assert.ok(runs >= 1, `job ${id} ran`);
    if (runs > 1) {
      tally.twice++;
      assert.ok(wasRunning, `job ${id} ran twice but was not running at the kill`);
    }
  }
  return tally;
}
