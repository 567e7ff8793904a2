/**
 * The benchmark's HTTP client: JSON over keep-alive connections (fetch pools them).
 * @module
 */

/** POSTs JSON and returns the parsed answer; throws on a status other than `expect`. */
export async function postJson<T>(url: string, body: unknown, expect = 201): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expect) {
    throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

/** GETs JSON. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** What the benchmark reads of `GET /api/stats`. */
export interface Stats {
  byStatus: Record<string, number>;
  totals: { completed: number; failed: number; attempts: number };
}
