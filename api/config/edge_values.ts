/**
 * Reading the options that name the server and its callers: `--public-url` (a URL),
 * `--allowed-hosts` (hosts) and `--cors-origins` (origins), each normalised as the guards
 * compare them (`api/guards/addresses.ts`).
 * @module
 */

import { formatHost, parseHost, parseOrigin } from "../guards/addresses.ts";

/** The kinds of option read here. */
export type EdgeKind = "url" | "hosts" | "origins";

/**
 * Reads `text` as an option of `kind`, or throws what `refuse` makes of a message saying what
 * was expected and what was written. An empty value is no URL, or no entries.
 *
 * @example
 * ```ts
 * import { readEdgeValue } from "./edge_values.ts";
 * readEdgeValue("hosts", "A.example, b.example:8443", (m) => new Error(m));
 * // ["a.example", "b.example:8443"]
 * ```
 */
export function readEdgeValue(
  kind: EdgeKind,
  text: string,
  refuse: (message: string) => Error,
): string | string[] | undefined {
  const value = text.trim();
  if (kind === "url") {
    if (value === "") return undefined;
    const origin = parseOrigin(value);
    if (origin === undefined) {
      throw refuse(
        "must be the URL users open, like https://queue.example.com (scheme, host and an " +
          `optional port, no path), received ${JSON.stringify(text)}`,
      );
    }
    return origin;
  }
  const entries = value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  if (kind === "hosts") {
    return entries.map((entry) => {
      const host = parseHost(entry);
      if (host === undefined) {
        throw refuse(
          "must be host names or addresses with an optional port, comma-separated, like " +
            `a.example,b.example:8443; ${JSON.stringify(entry)} is not one`,
        );
      }
      return formatHost(host);
    });
  }
  return entries.map((entry) => {
    if (entry === "*" || entry === "null") {
      throw refuse(
        `${JSON.stringify(entry)} would let any site change the queue through its visitors' ` +
          "browsers; list the origins of your apps, like https://app.example",
      );
    }
    const origin = parseOrigin(entry);
    if (origin === undefined) {
      throw refuse(
        "must be origins, comma-separated, like https://app.example,http://localhost:3000 " +
          `(scheme, host and an optional port, no path); ${JSON.stringify(entry)} is not one`,
      );
    }
    return origin;
  });
}
