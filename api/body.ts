/**
 * Reads a JSON request body: 415 unless it is JSON, 413 past the size limit (checked while
 * reading, not only from Content-Length), 400 when it does not parse.
 * @module
 */

import type { Context } from "hono";
import { HttpError } from "./errors.ts";

/** Returns the parsed body of a JSON request no larger than `limit` bytes. */
export async function readJson(c: Context, limit: number): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Send JSON with Content-Type: application/json (received ${JSON.stringify(type || "none")})`,
    );
  }
  const length = c.req.header("content-length");
  const declared = length === undefined ? NaN : Number(length);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  // With a declared length within the limit, read it in one go (much faster than a stream
  // read loop); otherwise count bytes as they arrive and stop past the limit.
  const text = Number.isFinite(declared) ? await c.req.raw.text() : await readLimited(c, limit);
  if (text.length > limit) throw tooLarge(limit);
  if (text.trim() === "") throw new HttpError(400, "bad_json", "The request body is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      "bad_json",
      `The body is not valid JSON: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** Reads a body of unknown length, refusing it as soon as it passes `limit` bytes. */
async function readLimited(c: Context, limit: number): Promise<string> {
  const body = c.req.raw.body;
  if (body === null) throw new HttpError(400, "bad_json", "The request body is empty");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, "payload_too_large", `The body is larger than ${limit} bytes`, {
    limit,
  });
}

/**
 * Options whose `signal` aborts when the client goes away. Read lazily: only an enqueue that
 * has to wait for room looks at it.
 */
export function waitSignal<T extends object>(
  c: Context,
  extra: T = {} as T,
): T & { readonly signal: AbortSignal } {
  return {
    ...extra,
    get signal() {
      return c.req.raw.signal;
    },
  };
}
