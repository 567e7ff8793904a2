/**
 * Making and checking API keys, over the store's keys part: a key's secret is shown once, when
 * it is made, and only its digest is stored. Checking a presented secret reads the store every
 * time, so a revocation counts at once on every process that shares it. No HTTP here: the API
 * turns a refusal into 401 and a role into what a request may do.
 * @module
 */

import type { Logger } from "../primitives/logger.ts";
import { defaultLogger } from "../primitives/logger.ts";
import type { KeyStore } from "../store/key_store.ts";
import type { ApiKey } from "./api_key.ts";
import { checkKeyRequest, type KeyRequest } from "./key_request.ts";
import { keyIdOf, newKeyToken } from "./key_token.ts";
import type { RevocationNews } from "./revocation_news.ts";
import { MASTER_KEY_MAX_LENGTH, MasterKey } from "./master_key.ts";
import { digestSecret, sameDigest } from "./secret_digest.ts";

/** The id and name the master key acts under. */
export const MASTER_KEY_ID = "master";

/** Why a presented secret was refused. */
export type KeyRefusal =
  /** Not a key's shape (nor the master key). */
  | "malformed"
  /** No key with its id, or the secret is not that key's. */
  | "unknown"
  | "revoked"
  | "expired";

/** What a presented secret is worth: the key it proves, or why it proves none. */
export type KeyCheck = { ok: true; key: ApiKey } | { ok: false; reason: KeyRefusal };

/** A key just made, with its secret: shown to its maker once, never stored. */
export interface MadeKey {
  key: ApiKey;
  /** The token its holder presents (`dq_<id>_<random>`). */
  secret: string;
}

/** What {@linkcode ApiKeys} works with. */
export interface ApiKeysOptions {
  store: KeyStore;
  /** The configured master key, if any: accepted as an admin named "master". */
  masterKey?: MasterKey;
  /** The clock (epoch ms) that expiry, `createdAt` and `revokedAt` are read from. Default `Date.now`. */
  now?: () => number;
  /**
   * A key's use is recorded (`lastUsedAt`) at most once per this many ms per process, so that
   * checking a key costs a write only now and then. Default 60,000.
   */
  touchEvery?: number;
  /** Where a failure to record a use is logged. Default: `defaultLogger()`. */
  logger?: Logger;
  /** On a store shared by a cluster: where a revocation is told to every node. */
  news?: RevocationNews;
}

/**
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ApiKeys } from "./api_keys.ts";
 * import { MemoryStore } from "../store/memory/memory_store.ts";
 *
 * const keys = new ApiKeys({ store: new MemoryStore() });
 * const { key, secret } = await keys.create({ name: "ci", role: "producer" });
 * assert.deepEqual(await keys.verify(secret), { ok: true, key });
 * await keys.revoke(key.id);
 * assert.deepEqual(await keys.verify(secret), { ok: false, reason: "revoked" });
 * ```
 */
export class ApiKeys {
  #store: KeyStore;
  #master: MasterKey | undefined;
  #masterSince: string;
  #now: () => number;
  #touchEvery: number;
  #logger: Logger;
  #news: RevocationNews | undefined;
  /** When this process last recorded each key's use (epoch ms). */
  #touched = new Map<string, number>();

  constructor(options: ApiKeysOptions) {
    this.#store = options.store;
    this.#master = options.masterKey;
    this.#now = options.now ?? Date.now;
    this.#masterSince = new Date(this.#now()).toISOString();
    this.#touchEvery = options.touchEvery ?? 60_000;
    if (!(this.#touchEvery >= 0)) {
      throw new RangeError(`touchEvery must be 0 or more ms, received ${options.touchEvery}`);
    }
    this.#logger = options.logger ?? defaultLogger();
    this.#news = options.news;
  }

  /**
   * Makes a key and stores its digest. Throws a `ValidationError` naming the field (`name`,
   * `role`, `expiresAt`) when the request is refused; nothing is stored then.
   */
  async create(request: KeyRequest): Promise<MadeKey> {
    const now = this.#now();
    const { name, role, expiresAt } = checkKeyRequest(request, now);
    const { id, token } = newKeyToken();
    const key = await this.#store.createKey({
      id,
      name,
      role,
      secretHash: await digestSecret(token),
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });
    return { key, secret: token };
  }

  /**
   * The key `presented` proves, or why it proves none. The master key (when configured) is an
   * admin named "master"; any other secret is looked up by the id it carries and compared, by
   * digest and in constant time, with that key's. Revocation and expiry are told apart only
   * for the right secret: someone with only an id learns nothing of the key.
   */
  async verify(presented: string): Promise<KeyCheck> {
    if (typeof presented !== "string" || presented.length > MASTER_KEY_MAX_LENGTH) {
      return { ok: false, reason: "malformed" };
    }
    const id = keyIdOf(presented);
    // Without a master key, what has no key's shape is refused before it costs a digest.
    if (id === undefined && this.#master === undefined) return { ok: false, reason: "malformed" };
    const digest = await digestSecret(presented);
    if (this.#master !== undefined && await this.#master.matches(digest)) {
      return { ok: true, key: this.#masterIdentity() };
    }
    if (id === undefined) return { ok: false, reason: "malformed" };
    const stored = await this.#store.findKey({ id });
    if (stored === undefined || !sameDigest(digest, stored.secretHash)) {
      return { ok: false, reason: "unknown" };
    }
    const { key } = stored;
    if (key.revokedAt !== undefined) return { ok: false, reason: "revoked" };
    const now = this.#now();
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= now) {
      return { ok: false, reason: "expired" };
    }
    this.#touch(key.id, now);
    return { ok: true, key };
  }

  /** Every stored key (not the master), revoked and expired ones too, newest first. */
  list(): Promise<ApiKey[]> {
    return this.#store.listKeys();
  }

  /**
   * Revokes the key with `id` now; it is refused from the next check on. Revoking it again
   * keeps the first `revokedAt`. Undefined when there is no such key (the master key cannot be
   * revoked: it is removed from the configuration). In a cluster, every node hears of it at
   * once (`news`).
   */
  async revoke(id: string): Promise<ApiKey | undefined> {
    const key = await this.#store.revokeKey({ id, at: new Date(this.#now()).toISOString() });
    this.#touched.delete(id);
    if (key !== undefined && this.#news !== undefined) {
      // Open connections elsewhere end at their next check if the news is lost.
      await this.#news.announce(id).catch((error) =>
        this.#logger.warn("Could not tell the other nodes of a revoked key", { keyId: id, error })
      );
    }
    return key;
  }

  #masterIdentity(): ApiKey {
    return { id: MASTER_KEY_ID, name: MASTER_KEY_ID, role: "admin", createdAt: this.#masterSince };
  }

  /** Records the use unless this process did within `touchEvery`; not waited for. */
  #touch(id: string, now: number): void {
    const last = this.#touched.get(id);
    if (last !== undefined && now - last < this.#touchEvery) return;
    this.#touched.set(id, now);
    this.#store.touchKey({ id, at: new Date(now).toISOString() }).catch((error) => {
      // A key that checked out is still good: only the record of its use is lost.
      this.#touched.delete(id);
      this.#logger.warn("Could not record a key's use", { keyId: id, error });
    });
  }
}
