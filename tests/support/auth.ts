/**
 * Test support for authentication: a master key, headers that present a key, and keys of each
 * role made through the API.
 * @module
 */

import assert from "node:assert/strict";
import type { ApiKey, Role } from "../../queue/keys/api_key.ts";
import type { ApiClient } from "./api_server.ts";

/** The master key test servers are started with. */
export const MASTER_KEY = "test-master-key-0123456789abcdef";

/** Request options that present `secret` as a bearer token, with more headers if given. */
export function bearer(secret: string, headers: Record<string, string> = {}): RequestInit {
  return { headers: { authorization: `Bearer ${secret}`, ...headers } };
}

/** Request options that present `secret` as the session cookie. */
export function withCookie(secret: string): RequestInit {
  return { headers: { cookie: `denoqueue_session=${secret}` } };
}

/** A key made through `POST /api/keys` with the master key, and its secret. */
export interface TestKey {
  key: ApiKey;
  secret: string;
}

/** Makes a key of `role` through the API (asserting 201). */
export async function makeKey(
  api: ApiClient,
  role: Role,
  extra: { name?: string; expiresAt?: string } = {},
): Promise<TestKey> {
  const answer = await api.post<TestKey>(
    "/api/keys",
    { name: extra.name ?? `${role} key`, role, ...extra },
    bearer(MASTER_KEY),
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}
