/**
 * Claims in turns (`claim_turns.ts`): a group's worker with the most room claims first; its
 * siblings claim only after a full claim (or a failed one); groups claim at once; each want gets
 * its own claim, in order.
 */

import assert from "node:assert/strict";
import type { Job } from "../../queue/job.ts";
import { claimInTurns, type Want } from "../../queue/pool/claim_turns.ts";
import { makeJob } from "../store/contract/harness.ts";

type W = Want<string, string>;

/** A queue of `queued` jobs per group, and the claims asked of it, in order. */
function fakeQueue(queued: Record<string, number>) {
  const asked: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let next = 0;
  const claim = async (want: W): Promise<Job[]> => {
    asked.push(want.handle);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await Promise.resolve();
    inFlight--;
    if (want.handle === "broken") throw new Error("claim failed");
    const taken = Math.min(want.room, queued[want.set]);
    queued[want.set] -= taken;
    return Array.from({ length: taken }, () => makeJob(`job-${next++}`));
  };
  return { claim, asked, mostInFlight: () => mostInFlight };
}

Deno.test("claimInTurns() asks no sibling after a claim that came back short", async () => {
  const queue = fakeQueue({ email: 1 });
  const wants: W[] = [
    { set: "email", handle: "w1", room: 2 },
    { set: "email", handle: "w2", room: 5 },
  ];
  const claims = await claimInTurns(wants, queue.claim);
  assert.deepEqual(queue.asked, ["w2"], "the worker with the most room first, alone");
  assert.deepEqual(claims.map((claim) => claim.status === "fulfilled" && claim.value.length), [
    0,
    1,
  ]);
});

Deno.test("claimInTurns() asks the siblings, at once, after a full claim", async () => {
  const queue = fakeQueue({ email: 100 });
  const wants: W[] = [
    { set: "email", handle: "w1", room: 4 },
    { set: "email", handle: "w2", room: 4 },
    { set: "email", handle: "w3", room: 3 },
  ];
  const claims = await claimInTurns(wants, queue.claim);
  assert.deepEqual(queue.asked, ["w1", "w2", "w3"]);
  assert.deepEqual(claims.map((claim) => claim.status === "fulfilled" && claim.value.length), [
    4,
    4,
    3,
  ]);
  assert.equal(queue.mostInFlight(), 2, "w2 and w3 together, after w1");
});

Deno.test("claimInTurns() claims for each group at once, each answer in the wants' order", async () => {
  const queue = fakeQueue({ email: 1, report: 10 });
  const wants: W[] = [
    { set: "report", handle: "r1", room: 2 },
    { set: "email", handle: "e1", room: 2 },
    { set: "report", handle: "r2", room: 2 },
  ];
  const claims = await claimInTurns(wants, queue.claim);
  assert.equal(queue.mostInFlight(), 2, "r1 and e1 together");
  assert.deepEqual(queue.asked, ["r1", "e1", "r2"]);
  const counts = claims.map((claim) => claim.status === "fulfilled" && claim.value.length);
  assert.deepEqual(counts, [2, 1, 2]);
});

Deno.test("claimInTurns() asks the siblings after a failed claim, and reports the failure", async () => {
  const queue = fakeQueue({ email: 10 });
  const wants: W[] = [
    { set: "email", handle: "broken", room: 4 },
    { set: "email", handle: "w2", room: 1 },
  ];
  const claims = await claimInTurns(wants, queue.claim);
  assert.deepEqual(queue.asked, ["broken", "w2"]);
  assert.equal(claims[0].status, "rejected");
  assert.deepEqual(claims[1].status === "fulfilled" && claims[1].value.length, 1);
});
