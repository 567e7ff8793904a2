/**
 * The `http` job type: calls a URL. The webhook job that lets any language use DenoQueue.
 * @module
 */

import { z } from "zod";
import { defineHandler } from "./define.ts";

const MAX_BODY_KEPT = 4096;

/** Calls `url`; a non-2xx answer fails the attempt with the status in the error. */
export const httpHandler = defineHandler({
  type: "http",
  description: "Calls a URL (a webhook); a non-2xx status fails the attempt",
  payload: z.object({
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]).default("POST"),
    headers: z.record(z.string(), z.string()).default({}),
    /** A string is sent as is; anything else as JSON. */
    body: z.unknown().optional(),
  }),
  example: { url: "http://127.0.0.1:9000/hook", method: "POST", body: { hello: "world" } },
  run: async (payload, ctx) => {
    const headers = new Headers(payload.headers);
    let body: string | undefined;
    if (payload.body !== undefined && payload.method !== "GET" && payload.method !== "HEAD") {
      if (typeof payload.body === "string") {
        body = payload.body;
      } else {
        body = JSON.stringify(payload.body);
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
      }
    }
    const response = await fetch(payload.url, {
      method: payload.method,
      headers,
      body,
      signal: ctx.signal,
    });
    const text = (await response.text()).slice(0, MAX_BODY_KEPT);
    if (!response.ok) {
      throw new Error(
        `${payload.method} ${payload.url} answered ${response.status} ${response.statusText}`,
      );
    }
    return { status: response.status, body: text };
  },
});
