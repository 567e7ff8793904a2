/**
 * The edge guards against real attacks in headless Chromium, with `evil.example` and
 * `app.example` resolved to 127.0.0.1: a page on another origin tries to clear, pause and
 * enqueue (form post, `fetch` with `no-cors`, WebSocket); the server visited under a rebound
 * name; an allow-listed origin calling the API with CORS. Each attack is waited for through the
 * page's own signal that the server answered (the frame loaded, the fetch settled, the socket
 * closed), then the server's state is read through its API.
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { createServer, type DenoQueueServer, type ServerOptions } from "../../../api/server.ts";
import { MemoryStore } from "../../../queue/store/memory/memory_store.ts";
import type { JobView, StatsView } from "../../support/api_server.ts";
import { BROWSER_SERVER_OPTIONS, launchBrowser, WAIT } from "../../support/browser.ts";

/** Chromium resolves these names to 127.0.0.1, as an attacker's DNS would. */
const RESOLVER_RULES =
  "--host-resolver-rules=MAP evil.example 127.0.0.1, MAP app.example 127.0.0.1";

/** A server under attack, read through its API over loopback. */
interface Target {
  server: DenoQueueServer;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

async function withTarget(options: ServerOptions, test: (target: Target) => Promise<void>) {
  const server = await createServer({
    store: new MemoryStore(),
    ...BROWSER_SERVER_OPTIONS,
    ...options,
  });
  try {
    const { port } = await server.listen();
    const url = `http://127.0.0.1:${port}`;
    const api = async <T>(method: string, path: string, body?: unknown) => {
      const response = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() as T };
    };
    await test({ server, port, url, api });
  } finally {
    await server.shutdown();
  }
}

/** A site of its own on 127.0.0.1 (visited under any name): one empty page. */
async function withSite(test: (port: number) => Promise<void>) {
  const site = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response("<!doctype html><title>elsewhere</title>", {
        headers: { "content-type": "text/html" },
      }),
  );
  try {
    await test(site.addr.port);
  } finally {
    await site.shutdown();
  }
}

/** What the target holds that an attack would change: its jobs and whether it is paused. */
async function state(target: Target) {
  const { body: stats } = await target.api<StatsView>("GET", "/api/stats");
  const { body: jobs } = await target.api<JobView[]>("GET", "/api/jobs?limit=1000");
  return {
    jobs: jobs.map((job) => `${job.id} ${job.status}`).sort(),
    paused: stats.workers.paused,
  };
}

/** Two jobs that stay as they are (scheduled an hour ahead). */
async function twoScheduledJobs(target: Target) {
  for (const value of [1, 2]) {
    const { status } = await target.api("POST", "/api/jobs", {
      type: "sleep",
      payload: { ms: value },
      options: { delay: 3_600_000 },
    });
    assert.equal(status, 201);
  }
}

/** Page source: posts a plain HTML form to `action` into a frame; resolves once it loaded. */
const FORM_POST = `(action) => new Promise((resolve) => {
  const frame = document.createElement("iframe");
  frame.name = "sink";
  frame.addEventListener("load", () => resolve("loaded"), { once: true });
  document.body.append(frame);
  const form = document.createElement("form");
  form.method = "POST";
  form.action = action;
  form.enctype = "text/plain";
  form.target = "sink";
  const field = document.createElement("input");
  field.name = "x";
  field.value = "1";
  form.append(field);
  document.body.append(form);
  form.submit();
})`;

/** Page source: a `no-cors` POST, which a page may send anywhere; resolves once answered. */
const NO_CORS_POST = `(url) => fetch(url, { method: "POST", mode: "no-cors", body: "x=1" })
  .then((response) => response.type, (error) => "failed: " + error.message)`;

/**
 * Page source: opens the producer socket and, if it opens, enqueues one job; resolves once the
 * socket closed (a refused handshake) or the enqueue was answered.
 */
const SOCKET_ENQUEUE = `(url) => new Promise((resolve) => {
  const socket = new WebSocket(url);
  let opened = false;
  socket.onopen = () => {
    opened = true;
    socket.send(JSON.stringify({ ref: 1, job: { type: "noop", payload: { from: location.origin } } }));
  };
  socket.onmessage = (event) => {
    socket.close();
    resolve({ opened, answer: JSON.parse(event.data) });
  };
  socket.onclose = (event) => resolve({ opened, code: event.code });
})`;

/**
 * Page source: a same-origin or CORS `fetch`; resolves with its status and body text (not that
 * of an event stream, which never ends).
 */
const FETCH = `([url, init]) => fetch(url, init).then(
  async (response) => ({
    status: response.status,
    text: response.headers.get("content-type")?.startsWith("text/event-stream")
      ? "(event stream)"
      : await response.text(),
  }),
  (error) => ({ status: 0, text: "failed: " + error.message }),
)`;

type SocketResult = { opened: boolean; code?: number; answer?: { job?: JobView } };
type FetchResult = { status: number; text: string };

/** Collects the page's console errors (refused handshakes are reported there with status). */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}

/** Runs `attack` on the page and returns the status the target answered the request with. */
async function answeredStatus(
  page: Page,
  path: string,
  attack: () => Promise<unknown>,
): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((response) => new URL(response.url()).pathname === path, {
      timeout: WAIT,
    }),
    attack(),
  ]);
  return response.status();
}

Deno.test("Edge guards in headless Chromium", async (t) => {
  const browser: Browser = await launchBrowser([RESOLVER_RULES]);
  try {
    for (const site of ["evil.example", "localhost"]) {
      const what = site === "localhost"
        ? "a sibling app on another port of localhost (same-site)"
        : "a page on another site";
      await t.step(`${what} cannot clear, pause or enqueue`, async () => {
        await withTarget({}, async (target) => {
          await twoScheduledJobs(target);
          const before = await state(target);
          await withSite(async (sitePort) => {
            const context = await browser.newContext();
            try {
              const page = await context.newPage();
              page.setDefaultTimeout(WAIT);
              const errors = consoleErrors(page);
              await page.goto(`http://${site}:${sitePort}/`);
              const clear = await answeredStatus(
                page,
                "/api/clear",
                () => page.evaluate(`(${FORM_POST})(${JSON.stringify(`${target.url}/api/clear`)})`),
              );
              assert.equal(clear, 403, "form post to /api/clear");
              const pause = await answeredStatus(
                page,
                "/api/queue/pause",
                () =>
                  page.evaluate(
                    `(${NO_CORS_POST})(${JSON.stringify(`${target.url}/api/queue/pause`)})`,
                  ),
              );
              assert.equal(pause, 403, "no-cors fetch to /api/queue/pause");
              const socket = await page.evaluate<SocketResult>(
                `(${SOCKET_ENQUEUE})(${
                  JSON.stringify(`ws://127.0.0.1:${target.port}/api/producer`)
                })`,
              );
              assert.equal(socket.opened, false, JSON.stringify(socket));
              assert.ok(
                errors.some((error) => /\/api\/producer.*403/.test(error)),
                `the handshake was answered 403: ${errors.join("\n")}`,
              );
            } finally {
              await context.close();
            }
          });
          assert.deepEqual(await state(target), before);
          assert.equal(before.jobs.length, 2);
          assert.equal(before.paused, false);
        });
      });
    }

    await t.step("the server visited under a rebound name answers 421 to everything", async () => {
      await withTarget({}, async (target) => {
        await twoScheduledJobs(target);
        const before = await state(target);
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          page.setDefaultTimeout(WAIT);
          const errors = consoleErrors(page);
          const rebound = `evil.example:${target.port}`;
          const visit = await page.goto(`http://${rebound}/`);
          assert.equal(visit?.status(), 421, "the dashboard");
          // The page is now on the rebound origin: its requests are same-origin to the browser.
          for (const path of ["/api/jobs", "/api/events", "/api/stats"]) {
            const read = await page.evaluate<FetchResult>(
              `(${FETCH})([${JSON.stringify(path)}, {}])`,
            );
            assert.equal(read.status, 421, path);
            assert.equal(JSON.parse(read.text).error.code, "misdirected_request", path);
          }
          const clear = await page.evaluate<FetchResult>(
            `(${FETCH})(["/api/clear", { method: "POST" }])`,
          );
          assert.equal(clear.status, 421, "/api/clear");
          const socket = await page.evaluate<SocketResult>(
            `(${SOCKET_ENQUEUE})(${JSON.stringify(`ws://${rebound}/api/producer`)})`,
          );
          assert.equal(socket.opened, false, JSON.stringify(socket));
          assert.ok(
            errors.some((error) => /\/api\/producer.*421/.test(error)),
            `the handshake was answered 421: ${errors.join("\n")}`,
          );
        } finally {
          await context.close();
        }
        assert.deepEqual(await state(target), before);
      });
    });

    await t.step(
      "an allow-listed origin calls the API with CORS; the dashboard's own socket works",
      async () => {
        await withSite(async (sitePort) => {
          const app = `http://app.example:${sitePort}`;
          await withTarget({ corsOrigins: [app] }, async (target) => {
            const context = await browser.newContext();
            try {
              const page = await context.newPage();
              page.setDefaultTimeout(WAIT);
              await page.goto(`${app}/`);
              const created = await page.evaluate<FetchResult>(`(${FETCH})([
              ${JSON.stringify(`${target.url}/api/jobs`)},
              {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ type: "noop", payload: { from: "app" } }),
              },
            ])`);
              assert.equal(created.status, 201, created.text);
              const { id } = JSON.parse(created.text) as JobView;
              const read = await page.evaluate<FetchResult>(
                `(${FETCH})([${JSON.stringify(`${target.url}/api/jobs/${id}`)}, {}])`,
              );
              assert.equal(read.status, 200, read.text);
              assert.equal((JSON.parse(read.text) as JobView).id, id);
              const socket = await page.evaluate<SocketResult>(
                `(${SOCKET_ENQUEUE})(${
                  JSON.stringify(`ws://127.0.0.1:${target.port}/api/producer`)
                })`,
              );
              assert.ok(socket.answer?.job, JSON.stringify(socket));

              // The dashboard's own origin opens the socket too.
              await page.goto(`${target.url}/`);
              const own = await page.evaluate<SocketResult>(
                `(${SOCKET_ENQUEUE})(${
                  JSON.stringify(`ws://127.0.0.1:${target.port}/api/producer`)
                })`,
              );
              assert.ok(own.answer?.job, JSON.stringify(own));
            } finally {
              await context.close();
            }
            const { body: jobs } = await target.api<JobView[]>("GET", "/api/jobs");
            assert.equal(jobs.length, 3);
            assert.deepEqual(
              jobs.map((job) => (job.payload as { from: string }).from).sort(),
              [app, "app", target.url].sort(),
            );
          });
        });
      },
    );
  } finally {
    await browser.close();
  }
});
