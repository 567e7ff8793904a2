/**
 * Reads a JSON request body: 415 unless it is JSON, then the body within its size limit and
 * deadline (`limits/body_reader.ts`: 413, 408), 400 when it does not parse.
 * @module
 */

import type { Context } from "hono";
import { HttpError } from "./errors.ts";
import type { BodyReader } from "./limits/body_reader.ts";

/** Returns the parsed body of a JSON request, read by `bodies` (its limit and deadline). */
export async function readJson(c: Context, bodies: BodyReader): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Send JSON with Content-Type: application/json (received ${JSON.stringify(type || "none")})`,
    );
  }
  const text = await bodies.text(c.req.raw);
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
