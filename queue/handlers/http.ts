/**
 * The `http` job type: calls a URL. The webhook job that lets any language use DenoQueue.
 * Loopback, private, link-local and cloud metadata addresses are refused unless `--http-allow`
 * lists them, redirects included; the answer's body is read only as far as it is kept.
 * @module
 */

import { z } from "zod";
import { defineHandler } from "./define.ts";
import { callUrl } from "./http/call.ts";
import { httpSettings } from "./http/settings.ts";

/** Headers the call sets itself (from the URL and the body), refused in the payload. */
const OWN_HEADERS = ["host", "content-length", "transfer-encoding", "connection"];

/** The result of an `http` job. */
export interface HttpResult {
  status: number;
  /** The start of the answer's body, as text: at most `maxBody` bytes, within the result limit. */
  body: string;
  /** Whether the body was longer than what is kept. */
  truncated: boolean;
}

/** Bytes of `value`'s JSON. */
function jsonSize(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

/** `result` with its body cut, if need be, so that its JSON fits in `limit` bytes. */
function fitted(result: HttpResult, limit: number): HttpResult {
  let over = jsonSize(result) - limit;
  while (over > 0 && result.body.length > 0) {
    // Each character is at least one byte of JSON: cutting `over` of them frees enough or more.
    const body = result.body.slice(0, Math.max(0, result.body.length - over));
    result = { ...result, body, truncated: true };
    over = jsonSize(result) - limit;
  }
  return result;
}

/**
 * Calls `url`; a non-2xx answer fails the attempt with the status in the error, a refused
 * address (or too many redirects) fails the job without retries.
 */
export const httpHandler = defineHandler({
  type: "http",
  description: "Calls a URL (a webhook); a non-2xx status fails the attempt",
  // Only the network: its own checks decide which addresses (refused ranges, --http-allow).
  permissions: { net: true },
  payload: z.object({
    url: z.url({ protocol: /^https?$/ }).refine(
      (url) => !/^https?:\/\/[^/?#]*@/i.test(url),
      { message: "must not hold credentials (user:password@): send an authorization header" },
    ),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]).default("POST"),
    headers: z.record(z.string(), z.string()).default({}).refine(
      (headers) => !Object.keys(headers).some((name) => OWN_HEADERS.includes(name.toLowerCase())),
      { message: `${OWN_HEADERS.join(", ")} are set by the call itself` },
    ),
    /** A string is sent as is; anything else as JSON. */
    body: z.unknown().optional(),
    /** Milliseconds for the whole call (redirects and body included). The job's timeout holds too. */
    timeout: z.number().int().min(1).max(600_000).default(10_000),
    /** Redirects followed; one more fails the job. */
    maxRedirects: z.number().int().min(0).max(20).default(5),
    /** Bytes of the answer's body kept in the result (never more than the result limit). */
    maxBody: z.number().int().min(0).max(1024 ** 3).default(4096),
  }),
  example: { url: "https://example.com/hook", method: "POST", body: { hello: "world" } },
  run: async (payload, ctx): Promise<HttpResult> => {
    const headers: Record<string, string> = { ...payload.headers };
    const named = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
    let body: string | undefined;
    if (payload.body !== undefined && payload.method !== "GET" && payload.method !== "HEAD") {
      if (typeof payload.body === "string") {
        body = payload.body;
        if (!named("content-type")) headers["content-type"] = "text/plain;charset=UTF-8";
      } else {
        body = JSON.stringify(payload.body);
        if (!named("content-type")) headers["content-type"] = "application/json";
      }
    }
    // The body is kept as it comes: ask for it uncompressed.
    if (!named("accept-encoding")) headers["accept-encoding"] = "identity";
    const { resultLimit, allow } = httpSettings;
    const answer = await callUrl({
      url: payload.url,
      method: payload.method,
      headers,
      body,
      timeout: payload.timeout,
      maxRedirects: payload.maxRedirects,
      maxBody: Math.min(payload.maxBody, resultLimit),
    }, { allow, signal: ctx.signal });
    if (answer.status < 200 || answer.status > 299) {
      const via = answer.url === new URL(payload.url).href ? "" : ` (redirected to ${answer.url})`;
      throw new Error(
        `${payload.method} ${payload.url}${via} answered ${answer.status} ${answer.statusText}`,
      );
    }
    return fitted(
      { status: answer.status, body: answer.body, truncated: answer.truncated },
      resultLimit,
    );
  },
});
