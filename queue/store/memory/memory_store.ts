/**
 * The memory store: GoQueue's behaviour, fast, nothing survives a restart.
 * Ready jobs sit in a line per type (`TypedReadyList`), scheduled ones in a min-heap by `runAt`
 * that skips stale entries lazily; so a cancel or delete is O(1). Keys and nodes are their own
 * parts (`MemoryKeys`, `MemoryNodes`), passed through.
 * @module
 */

import type { Job } from "../../job.ts";
import { isUnfinished } from "../../lifecycle.ts";
import { MinHeap } from "../../primitives/min_heap.ts";
import { TypedReadyList } from "../typed_ready_list.ts";
import { StatusCounts } from "../status_counts.ts";
import { assertRetryable } from "../retry_claim.ts";
import { owned } from "./frozen_job.ts";
import { assertUpdatesFollowLifecycle } from "../transition_guard.ts";
import type {
  AttemptFence,
  ClaimParams,
  DeleteParams,
  DeleteResult,
  FinalStatus,
  JobCounts,
  JobUpdate,
  ListQuery,
  PromoteResult,
  PruneParams,
  RenewParams,
} from "../job_store.ts";
import type { Store } from "../store.ts";
import type { NewKey, StoredKey } from "../key_store.ts";
import type { ApiKey } from "../../keys/api_key.ts";
import { MemoryKeys } from "./memory_keys.ts";
import { MemoryNodes } from "./memory_nodes.ts";
import type { LeadParams, NodeBeat, NodeRecord } from "../node_store.ts";

const FINAL: FinalStatus[] = ["completed", "failed", "cancelled"];

/**
 * @example
 * ```ts
 * import { MemoryStore } from "./memory_store.ts";
 * const store = new MemoryStore();
 * await store.counts();
 * ```
 */
export class MemoryStore implements Store {
  readonly durable = false;
  readonly exclusive = true;
  #jobs = new Map<string, Job>();
  #order: string[] = []; // ids by seq; deleted ones are skipped and compacted now and then
  #holes = 0;
  /** Queued jobs by id, a line per type in the order they became ready; each the stored one. */
  #ready = new TypedReadyList<string, Job>();
  #scheduled = new MinHeap<{ runAt: number; id: string }>((a, b) => a.runAt - b.runAt);
  #seq = 0;
  #counts = new StatusCounts();
  #keys = new MemoryKeys();
  #nodes = new MemoryNodes();

  insert({ jobs }: { jobs: Job[] }): Promise<Job[]> {
    const batch = new Map<string, Job>();
    // Originals of manual retries, stored or in this batch, with the copy recorded on them.
    const retried = new Map<string, Job>();
    for (const job of jobs) {
      if (this.#jobs.has(job.id) || batch.has(job.id)) {
        return Promise.reject(new Error(`A job with id ${job.id} already exists`));
      }
      batch.set(job.id, job);
    }
    for (const job of jobs) {
      if (job.retryOf === undefined) continue;
      const original = retried.get(job.retryOf) ?? this.#jobs.get(job.retryOf) ??
        batch.get(job.retryOf);
      try {
        assertRetryable(job.retryOf, original, job.id);
      } catch (error) {
        return Promise.reject(error);
      }
      retried.set(job.retryOf, { ...original!, retriedBy: job.id });
    }
    for (const original of retried.values()) {
      if (batch.has(original.id)) continue; // Recorded as it is inserted, below.
      this.#jobs.set(original.id, owned(original));
      this.#counts.addRetried(original.status, 1);
    }
    const inserted = jobs.map((job) =>
      owned({ ...(retried.get(job.id) ?? job), seq: ++this.#seq })
    );
    for (const job of inserted) {
      this.#jobs.set(job.id, job);
      this.#order.push(job.id);
      this.#counts.add(job.type, job.status, 1);
      if (job.retriedBy !== undefined) this.#counts.addRetried(job.status, 1);
      this.#index(job);
    }
    return Promise.resolve(inserted);
  }

  claim({ limit, types, workerId, now, leaseOwner, leaseUntil }: ClaimParams): Promise<Job[]> {
    const claimed: Job[] = [];
    const leaseToken = crypto.randomUUID();
    // The list holds queued jobs alone: a claim takes them out, any other move (`update`) or a
    // removal forgets them.
    for (const job of this.#ready.take(limit, types)) {
      const next = owned({
        ...job,
        status: "in-progress",
        updatedAt: now,
        leaseOwner,
        leaseExpiresAt: leaseUntil,
        leaseToken,
        attempts: [...job.attempts, { number: job.attempts.length + 1, startedAt: now, workerId }],
      });
      this.#replace(job, next);
      claimed.push(next);
    }
    return Promise.resolve(claimed);
  }

  update({ updates }: { updates: JobUpdate[] }): Promise<Job[]> {
    try {
      assertUpdatesFollowLifecycle(updates);
    } catch (error) {
      return Promise.reject(error);
    }
    const applied: Job[] = [];
    for (const { from, job, fence, remove } of updates) {
      const current = this.#jobs.get(job.id);
      if (current === undefined || current.status !== from || current.type !== job.type) continue;
      if (fence !== undefined && !onAttempt(current, fence)) continue;
      const { leaseOwner: _owner, leaseExpiresAt: _expires, leaseToken: _token, ...rest } = job;
      const next = owned(
        job.status === "in-progress" ? { ...job, seq: current.seq } : { ...rest, seq: current.seq },
      );
      if (from === "queued") this.#ready.remove(current.id);
      if (remove === true) {
        this.#remove(current);
      } else {
        this.#replace(current, next);
        this.#index(next);
      }
      applied.push(next);
    }
    this.#compact();
    return Promise.resolve(applied);
  }

  promote({ now, limit }: { now: number; limit: number }): Promise<PromoteResult> {
    const promoted: Job[] = [];
    while (promoted.length < limit) {
      const head = this.#scheduled.peek();
      if (head === undefined || head.runAt > now) break;
      this.#scheduled.pop();
      const job = this.#jobs.get(head.id);
      if (job === undefined || job.status !== "scheduled" || job.runAt !== head.runAt) continue;
      const next = owned({ ...job, status: "queued", updatedAt: now });
      this.#replace(job, next);
      this.#index(next);
      promoted.push(next);
    }
    return Promise.resolve({ promoted, nextRunAt: this.#nextRunAt() });
  }

  get({ id }: { id: string }): Promise<Job | undefined> {
    return Promise.resolve(this.#jobs.get(id));
  }

  list({ status, type, limit, beforeSeq, idMatch }: ListQuery): Promise<Job[]> {
    const page: Job[] = [];
    for (let i = this.#order.length - 1; i >= 0 && page.length < limit; i--) {
      const job = this.#jobs.get(this.#order[i]);
      if (job === undefined) continue;
      if (beforeSeq !== undefined && job.seq >= beforeSeq) continue;
      if (status !== undefined && job.status !== status) continue;
      if (type !== undefined && job.type !== type) continue;
      if (idMatch !== undefined && !job.id.startsWith(idMatch) && !job.id.endsWith(idMatch)) {
        continue;
      }
      page.push(job);
    }
    return Promise.resolve(page);
  }

  delete({ ids, status }: DeleteParams): Promise<DeleteResult> {
    let removed = 0;
    let unfinished = 0;
    for (const id of ids ?? [...this.#jobs.keys()]) {
      const job = this.#jobs.get(id);
      if (job === undefined || (status !== undefined && job.status !== status)) continue;
      this.#remove(job);
      removed++;
      if (isUnfinished(job.status)) unfinished++;
    }
    this.#compact();
    return Promise.resolve({ removed, unfinished });
  }

  renewLeases({ owner, until, leases }: RenewParams): Promise<string[]> {
    const renewed: string[] = [];
    for (const { id, leaseToken } of leases) {
      const job = this.#jobs.get(id);
      if (job === undefined || job.status !== "in-progress" || job.leaseOwner !== owner) continue;
      if (job.leaseToken !== leaseToken) continue;
      this.#jobs.set(job.id, owned({ ...job, leaseExpiresAt: until }));
      renewed.push(id);
    }
    return Promise.resolve(renewed);
  }

  expiredLeases({ now, limit }: { now: number; limit: number }): Promise<Job[]> {
    const expired: Job[] = [];
    for (const job of this.#jobs.values()) {
      if (expired.length >= limit) break;
      if (job.status === "in-progress" && (job.leaseExpiresAt ?? 0) < now) expired.push(job);
    }
    return Promise.resolve(expired);
  }

  prune({ finishedBefore, keep, limit }: PruneParams): Promise<number> {
    let removed = 0;
    // Per final status, oldest first: those finished before the cut-off, then, of the rest,
    // the oldest beyond the number kept (the same order as every driver).
    for (const status of FINAL) {
      const jobs = this.#order.map((id) => this.#jobs.get(id)).filter((job) =>
        job?.status === status
      ) as Job[];
      const aged = jobs.filter((job) => (job.finishedAt ?? job.updatedAt) < finishedBefore[status]);
      const excess = Math.max(0, jobs.length - aged.length - keep);
      const agedIds = new Set(aged.map((job) => job.id));
      const beyond = jobs.filter((job) => !agedIds.has(job.id)).slice(0, excess);
      for (const job of [...aged, ...beyond]) {
        if (removed >= limit) break;
        this.#remove(job);
        removed++;
      }
      if (removed >= limit) break;
    }
    this.#compact();
    return Promise.resolve(removed);
  }

  counts(): Promise<JobCounts> {
    return Promise.resolve(this.#counts.snapshot());
  }

  createKey(params: NewKey): Promise<ApiKey> {
    return this.#keys.createKey(params);
  }

  findKey(params: { id: string }): Promise<StoredKey | undefined> {
    return this.#keys.findKey(params);
  }

  listKeys(): Promise<ApiKey[]> {
    return this.#keys.listKeys();
  }

  revokeKey(params: { id: string; at: string }): Promise<ApiKey | undefined> {
    return this.#keys.revokeKey(params);
  }

  touchKey(params: { id: string; at: string }): Promise<void> {
    return this.#keys.touchKey(params);
  }

  registerNode(node: NodeRecord): Promise<void> {
    return this.#nodes.registerNode(node);
  }

  heartbeat(beat: NodeBeat): Promise<boolean> {
    return this.#nodes.heartbeat(beat);
  }

  listNodes(): Promise<NodeRecord[]> {
    return this.#nodes.listNodes();
  }

  removeNode(params: { id: string; staleBefore?: number }): Promise<boolean> {
    return this.#nodes.removeNode(params);
  }

  jobsHeldBy({ node, limit }: { node: string; limit: number }): Promise<Job[]> {
    const held: Job[] = [];
    for (const job of this.#jobs.values()) {
      if (held.length >= limit) break;
      if (job.status === "in-progress" && job.leaseOwner === node) held.push(job);
    }
    return Promise.resolve(held);
  }

  tryLead(params: LeadParams): Promise<boolean> {
    return this.#nodes.tryLead(params);
  }

  resign(params: { node: string }): Promise<void> {
    return this.#nodes.resign(params);
  }

  leader(params: { now: number }): Promise<string | undefined> {
    return this.#nodes.leader(params);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #replace(previous: Job, next: Job): void {
    this.#jobs.set(next.id, next);
    this.#counts.move(next.type, previous.status, next.status);
  }

  #remove(job: Job): void {
    this.#jobs.delete(job.id);
    if (job.status === "queued") this.#ready.remove(job.id);
    this.#counts.add(job.type, job.status, -1);
    if (job.retriedBy !== undefined) this.#counts.addRetried(job.status, -1);
    this.#holes++;
  }

  #compact(): void {
    if (this.#holes > 1024 && this.#holes * 2 > this.#order.length) {
      this.#order = this.#order.filter((id) => this.#jobs.has(id));
      this.#holes = 0;
    }
  }

  #index(job: Job): void {
    if (job.status === "queued") this.#ready.add(job.type, job.id, job);
    else if (job.status === "scheduled") this.#scheduled.push({ runAt: job.runAt, id: job.id });
  }

  #nextRunAt(): number | undefined {
    for (;;) {
      const head = this.#scheduled.peek();
      if (head === undefined) return undefined;
      const job = this.#jobs.get(head.id);
      if (job !== undefined && job.status === "scheduled" && job.runAt === head.runAt) {
        return head.runAt;
      }
      this.#scheduled.pop();
    }
  }
}

/** Whether the stored job is still on the fenced attempt (and, if asked, its lease ran out). */
function onAttempt(job: Job, fence: AttemptFence): boolean {
  if (job.leaseToken !== fence.leaseToken) return false;
  return fence.expiredBefore === undefined || (job.leaseExpiresAt ?? 0) < fence.expiredBefore;
}
