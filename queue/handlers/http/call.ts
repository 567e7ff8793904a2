/**
 * One call of the `http` job type: the request, each redirect followed by hand and checked like
 * the first URL, the start of the final answer's body, all within the call's own timeout.
 * @module
 */

import { UnrecoverableError } from "../../errors.ts";
import type { HttpAllowList } from "./allow_list.ts";
import { readCapped } from "./capped_body.ts";
import { checkDestination, type Lookup } from "./destination.ts";
import { sendPinned } from "./pinned_request.ts";

/** What to call. */
export interface HttpCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Milliseconds for the whole call, redirects and body included. */
  timeout: number;
  /** Redirects followed before the call fails. */
  maxRedirects: number;
  /** Bytes of the final body kept; the rest is not read. */
  maxBody: number;
}

/** Where a call may go and what stops it. */
export interface CallOptions {
  allow: HttpAllowList;
  /** The job's signal: its abort ends the call with its reason. */
  signal: AbortSignal;
  /** Default: the system resolver. */
  lookup?: Lookup;
  /** A certificate authority (PEM) to trust besides Deno's: for tests. */
  ca?: string;
}

/** The final answer. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** The URL that answered (after redirects). */
  url: string;
  body: string;
  /** Whether the body went on past `maxBody`. */
  truncated: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: not sent on to another origin. */
const CREDENTIALS = ["authorization", "cookie", "proxy-authorization"];
/** Headers that describe the body: dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ["content-type", "content-encoding", "content-language", "content-location"];

/** Rejects with `signal`'s reason if it aborts before `promise` settles. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Drops the headers named in `names` (any case) from `headers`. */
function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())),
  );
}

/**
 * Calls `call.url`, following up to `call.maxRedirects` redirects (each hop's addresses checked
 * as the first one's: a refused one throws a `RefusedDestinationError` naming the hop), and reads
 * the final answer's body up to `call.maxBody` bytes. Past `call.timeout` it throws an `Error`
 * saying so; when `options.signal` aborts, its reason.
 *
 * @example
 * ```ts ignore
 * const answer = await callUrl(
 *   { url, method: "GET", headers: {}, timeout: 10_000, maxRedirects: 5, maxBody: 4096 },
 *   { allow: HttpAllowList.NONE, signal: ctx.signal },
 * );
 * ```
 */
export async function callUrl(call: HttpCall, options: CallOptions): Promise<HttpAnswer> {
  const deadline = AbortSignal.timeout(call.timeout);
  const signal = AbortSignal.any([options.signal, deadline]);
  let url = new URL(call.url);
  let { method, headers, body } = call;
  try {
    for (let hop = 0;; hop++) {
      const label = hop === 0 ? url.href : `redirect ${hop} (to ${url.href})`;
      const destination = await abortable(
        checkDestination(url, { allow: options.allow, lookup: options.lookup, label }),
        signal,
      );
      using exchange = await sendPinned(destination, {
        method,
        headers,
        body,
        signal,
        ca: options.ca,
        label,
      });
      const { response } = exchange;
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (!REDIRECTS.has(status) || location === undefined) {
        const { text, truncated } = await readCapped(response, call.maxBody);
        return {
          status,
          statusText: response.statusMessage ?? "",
          url: url.href,
          body: text,
          truncated,
        };
      }
      if (hop === call.maxRedirects) {
        throw new UnrecoverableError(
          `Too many redirects: ${url.href} answered ${status} to ${location} after ` +
            `${call.maxRedirects} redirect(s) (payload.maxRedirects)`,
        );
      }
      const next = URL.parse(location, url);
      if (next === null || (next.protocol !== "http:" && next.protocol !== "https:")) {
        throw new UnrecoverableError(
          `${url.href} answered ${status} to ${JSON.stringify(location)}: not an http(s) URL`,
        );
      }
      // As fetch does: 303 (and 301, 302 after a POST) go on as a GET without the body.
      if (
        (status === 303 && method !== "HEAD") ||
        ((status === 301 || status === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
        headers = without(headers, BODY_HEADERS);
      }
      if (next.origin !== url.origin) headers = without(headers, CREDENTIALS);
      url = next;
    }
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (deadline.aborted) {
      throw new Error(
        `${call.method} ${call.url} took longer than ${call.timeout} ms (payload.timeout)`,
      );
    }
    throw error;
  }
}
