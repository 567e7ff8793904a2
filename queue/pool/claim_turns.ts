/**
 * The claims of one round, a group of workers at a time: its worker with the most room claims
 * first, and its siblings only when that claim came back full (or failed). A claim that comes back short
 * has found every queued job of the group, so the siblings' claims would find none: on a shared
 * store each is a statement (and a lock on the queue's index) for nothing, once per job when
 * jobs arrive one by one. Groups claim side by side; a deep backlog costs one round trip more.
 * @module
 */

import type { Job } from "../job.ts";

/** A worker wanting `room` jobs of its group `set`. */
export interface Want<Set, Handle> {
  set: Set;
  handle: Handle;
  room: number;
}

/**
 * Claims for `wants` with `claim`, in turns as above. Resolves with each want's claim, in the
 * order of `wants`: a want not asked because its group's first claim came back short gets no
 * jobs.
 *
 * @example
 * ```ts
 * import { claimInTurns } from "./claim_turns.ts";
 * const wants = [{ set: "email", handle: "w1", room: 4 }, { set: "email", handle: "w2", room: 4 }];
 * const claims = await claimInTurns(wants, () => Promise.resolve([]));
 * // one claim made: w1's came back short, so w2's is fulfilled with none
 * ```
 */
export async function claimInTurns<Set, Handle>(
  wants: readonly Want<Set, Handle>[],
  claim: (want: Want<Set, Handle>) => Promise<Job[]>,
): Promise<PromiseSettledResult<Job[]>[]> {
  const results = new Map<Want<Set, Handle>, PromiseSettledResult<Job[]>>();
  const none: PromiseSettledResult<Job[]> = { status: "fulfilled", value: [] };
  const groups = Map.groupBy(wants, (want) => want.set);
  await Promise.all([...groups.values()].map(async (group) => {
    const [first, ...rest] = group.toSorted((a, b) => b.room - a.room);
    const [firstClaim] = await Promise.allSettled([claim(first)]);
    results.set(first, firstClaim);
    // A failed claim found nothing out: the siblings claim (and may fail) on their own.
    const short = firstClaim.status === "fulfilled" && firstClaim.value.length < first.room;
    const others = short ? rest.map(() => none) : await Promise.allSettled(rest.map(claim));
    rest.forEach((want, i) => results.set(want, others[i]));
  }));
  return wants.map((want) => results.get(want)!);
}
