/**
 * Dashboard sign-in in real headless Chromium against a real server with a master key: the
 * sign-in page, the session cookie's attributes, a viewer's dashboard without a button that
 * changes anything and its forged requests refused (403), sign-out, an admin's buttons, and a
 * revoked key bringing back the sign-in page (on the next action, and from the live feed).
 * Also authentication off: beyond loopback a banner, on loopback the dashboard as before.
 * Screenshots of the sign-in page (light, dark, phone) go to tests/screenshots/.
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ANONYMOUS } from "../api/auth/authenticator.ts";
import type { SessionView } from "../api/routes/session.ts";
import type { JobView, StatsView } from "./support/api_server.ts";
import {
  type Dashboard,
  type DashboardOptions,
  launchBrowser,
  screenshot,
  waitForText,
  withDashboard,
} from "./support/browser.ts";
import { waitFor } from "./support/wait.ts";

const MASTER = "browser-test-master-key-0123456789";
const SESSION_COOKIE = "denoqueue_session";

const testid = (page: Page, id: string) => page.getByTestId(id);

/** Every test id of a button or link that changes something, and the bulk and action areas. */
const CHANGING = [
  "nav-enqueue",
  "bulk-actions",
  "retry-failed",
  "clear-completed",
  "job-actions",
  "action-cancel",
  "action-retry",
  "action-delete",
  "enqueue-form",
];

/** Calls the server's API over HTTP with `key` as a bearer token; reads the JSON answer. */
async function call<T = unknown>(
  dashboard: Dashboard,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(dashboard.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
}

/** A key made through the API with the master key. */
interface MadeKey {
  id: string;
  secret: string;
}

async function makeKey(dashboard: Dashboard, name: string, role: string): Promise<MadeKey> {
  const { status, body } = await call<{ key: { id: string }; secret: string }>(
    dashboard,
    MASTER,
    "POST",
    "/api/keys",
    { name, role },
  );
  assert.equal(status, 201, JSON.stringify(body));
  return { id: body.key.id, secret: body.secret };
}

async function enqueue(
  dashboard: Dashboard,
  key: string,
  type: string,
  payload: unknown,
  options?: Record<string, unknown>,
): Promise<JobView> {
  const { status, body } = await call<JobView>(dashboard, key, "POST", "/api/jobs", {
    type,
    payload,
    options,
  });
  assert.equal(status, 201, JSON.stringify(body));
  return body;
}

function waitForJob(dashboard: Dashboard, id: string, status: string): Promise<JobView> {
  return waitFor(async () => {
    const { body } = await call<JobView>(dashboard, MASTER, "GET", `/api/jobs/${id}`);
    return body.status === status ? body : undefined;
  }, { timeout: 10_000, message: `job ${id} to be ${status}` });
}

/** What a `fetch` from inside the page answers: its status and error code. */
async function fetchInPage(
  page: Page,
  method: string,
  path: string,
): Promise<{ status: number; code?: string }> {
  // Page source as a string: these tests are type-checked without the DOM library.
  return await page.evaluate(`(async () => {
    const response = await fetch(${JSON.stringify(path)}, { method: ${JSON.stringify(method)} });
    const body = await response.json().catch(() => ({}));
    return { status: response.status, code: body.error?.code };
  })()`);
}

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
}

/** Signs in through the form; waits for the overview. */
async function signIn(page: Page, secret: string): Promise<void> {
  await testid(page, "sign-in-key").fill(secret);
  await testid(page, "sign-in-submit").click();
  await testid(page, "overview").waitFor();
}

/** Fails unless no element of `CHANGING` is on the page. */
async function assertNothingChanges(page: Page, where: string): Promise<void> {
  for (const id of CHANGING) {
    assert.equal(await testid(page, id).count(), 0, `${where}: ${id} is shown`);
  }
}

/** A server with `MASTER` as its master key; 401s and 403s are expected on the console. */
function withKeys(
  browser: Browser,
  options: DashboardOptions,
  test: (dashboard: Dashboard) => Promise<void>,
): Promise<void> {
  return withDashboard(browser, {
    httpErrors: true,
    ...options,
    server: { masterKey: MASTER, ...options.server },
  }, test);
}

Deno.test("Dashboard sign-in in headless Chromium", async (t) => {
  const browser: Browser = await launchBrowser();
  try {
    await t.step(
      "a viewer signs in, sees the overview without a button that changes anything, and its forged requests get 403",
      async () => {
        await withKeys(browser, {}, async (dashboard) => {
          const { page, url } = dashboard;
          const admin = await makeKey(dashboard, "ops admin", "admin");
          const viewer = await makeKey(dashboard, "wall screen", "viewer");
          const failed = await enqueue(dashboard, admin.secret, "fail-absolute", {}, {
            maxAttempts: 1,
          });
          const running = await enqueue(dashboard, admin.secret, "sleep", { ms: 60_000 });
          await enqueue(dashboard, admin.secret, "noop", {});
          await waitForJob(dashboard, failed.id, "failed");
          await waitForJob(dashboard, running.id, "in-progress");

          await page.goto(`${url}/`);
          await testid(page, "sign-in-page").waitFor();
          assert.equal(await testid(page, "overview").count(), 0);
          assert.equal(await sessionCookie(page.context()), undefined);
          assert.deepEqual(await fetchInPage(page, "GET", "/api/stats"), {
            status: 401,
            code: "unauthorized",
          });

          // A wrong key is said next to the field, and the page stays.
          await testid(page, "sign-in-submit").click();
          await waitForText(testid(page, "error-sign-in"), "Paste an API key");
          await testid(page, "sign-in-key").fill("dq_not_a_real_key");
          await testid(page, "sign-in-submit").click();
          await waitForText(testid(page, "error-sign-in"), "The API key is not valid");
          assert.equal(await testid(page, "sign-in-key").getAttribute("aria-invalid"), "true");
          assert.equal(await sessionCookie(page.context()), undefined);

          await signIn(page, viewer.secret);
          await waitForText(testid(page, "session-name"), "wall screen");
          await waitForText(testid(page, "session-role"), "viewer");
          await waitForText(testid(page, "count-failed"), /^1/);
          await waitForText(testid(page, "live-state"), "Live");
          const cookie = await sessionCookie(page.context());
          assert.ok(cookie, "the session cookie is set");
          assert.equal(cookie.httpOnly, true);
          assert.equal(cookie.sameSite, "Strict");
          assert.equal(cookie.path, "/");
          assert.equal(cookie.secure, false, "plain HTTP: not Secure");
          assert.equal(cookie.expires, -1, "a session cookie: the key never expires");
          assert.equal(await page.evaluate("document.cookie"), "", "no script reads it");

          await assertNothingChanges(page, "overview");
          await testid(page, "nav-jobs").click();
          await testid(page, "job-row").first().waitFor();
          await assertNothingChanges(page, "jobs");
          for (const job of [failed, running]) {
            await page.goto(`${url}/#/jobs/${job.id}`);
            await waitForText(testid(page, "job-id"), job.id);
            await testid(page, "job-payload").waitFor();
            await assertNothingChanges(page, `job ${job.status}`);
          }
          await page.goto(`${url}/#/enqueue`);
          await waitForText(testid(page, "not-allowed"), "cannot enqueue jobs");
          await assertNothingChanges(page, "enqueue");

          // Forged requests from the viewer's session: same origin, its cookie, refused.
          const before = await call<StatsView>(dashboard, MASTER, "GET", "/api/stats");
          for (
            const [method, path] of [
              ["POST", "/api/clear"],
              ["POST", "/api/jobs/retry-all"],
              ["POST", `/api/jobs/${failed.id}/retry`],
              ["POST", `/api/jobs/${running.id}/cancel`],
              ["DELETE", `/api/jobs/${failed.id}`],
              ["POST", "/api/queue/pause"],
            ]
          ) {
            assert.deepEqual(await fetchInPage(page, method, path), {
              status: 403,
              code: "forbidden",
            }, `${method} ${path}`);
          }
          const after = await call<StatsView>(dashboard, MASTER, "GET", "/api/stats");
          assert.deepEqual(after.body.byStatus, before.body.byStatus, "nothing changed");
          assert.equal(
            (await waitForJob(dashboard, running.id, "in-progress")).status,
            "in-progress",
          );
          assert.equal(after.body.workers.paused, false, "not paused");

          await page.goto(`${url}/`);
          await testid(page, "sign-out").click();
          await waitForText(testid(page, "sign-in-notice"), "You are signed out.");
          assert.equal(await sessionCookie(page.context()), undefined, "the cookie is gone");
          assert.deepEqual(await fetchInPage(page, "GET", "/api/stats"), {
            status: 401,
            code: "unauthorized",
          });
          // The page did not reload: the app went back to the sign-in page by itself.
          await page.reload();
          await testid(page, "sign-in-page").waitFor();
        });
      },
    );

    await t.step(
      "an admin sees the buttons; its key revoked, the next action brings back the sign-in page",
      async () => {
        await withKeys(browser, {}, async (dashboard) => {
          const { page, url } = dashboard;
          const admin = await makeKey(dashboard, "ops admin", "admin");
          const failed = await enqueue(dashboard, MASTER, "fail-absolute", {}, {
            maxAttempts: 1,
          });
          await waitForJob(dashboard, failed.id, "failed");

          await page.goto(`${url}/`);
          await signIn(page, admin.secret);
          await waitForText(testid(page, "session-role"), "admin");
          for (const id of ["nav-enqueue", "retry-failed", "clear-completed"]) {
            await testid(page, id).waitFor();
          }
          // The live feed is held, so that only the page's next call can learn of the revocation.
          await page.route("**/api/events", () => {});
          await page.goto(`${url}/#/jobs/${failed.id}`);
          await page.reload();
          await testid(page, "action-retry").waitFor();
          await testid(page, "action-delete").waitFor();

          const revoked = await call(dashboard, MASTER, "DELETE", `/api/keys/${admin.id}`);
          assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
          await testid(page, "action-retry").click();
          await waitForText(testid(page, "sign-in-notice"), "Your session has ended");
          // Its cookie, holding the revoked key, is cleared: sent again, it would count as a
          // failed authentication each time.
          assert.equal(await sessionCookie(page.context()), undefined, "the cookie is gone");
          const { body: jobs } = await call<JobView[]>(dashboard, MASTER, "GET", "/api/jobs");
          assert.equal(jobs.length, 1, "the retry was refused: no copy made");
        });
      },
    );

    await t.step("a revoked key's live feed ends, and the sign-in page comes back", async () => {
      await withKeys(browser, {}, async (dashboard) => {
        const { page, url } = dashboard;
        const producer = await makeKey(dashboard, "batch importer", "producer");
        await page.goto(`${url}/`);
        await signIn(page, producer.secret);
        await waitForText(testid(page, "live-state"), "Live");
        await waitForText(testid(page, "session-role"), "producer");
        // A producer enqueues, and nothing more.
        await testid(page, "nav-enqueue").waitFor();
        assert.equal(await testid(page, "bulk-actions").count(), 0);
        const revoked = await call(dashboard, MASTER, "DELETE", `/api/keys/${producer.id}`);
        assert.equal(revoked.status, 200);
        // No click: the feed's end alone leads back.
        await waitForText(testid(page, "sign-in-notice"), "Your session has ended");
      });
    });

    await t.step(
      "after too many failed attempts the sign-in page counts down the wait",
      async () => {
        await withKeys(browser, {}, async (dashboard) => {
          const { page, url } = dashboard;
          await page.goto(`${url}/`);
          const submit = testid(page, "sign-in-submit");
          const error = testid(page, "error-sign-in");
          // The server refuses an address after 10 failures a minute (api/auth/failed_attempts.ts).
          for (let attempt = 1; attempt <= 10; attempt++) {
            await testid(page, "sign-in-key").fill(`dq_wrong_${attempt}`);
            const [answer] = await Promise.all([
              page.waitForResponse((response) =>
                response.url().endsWith("/api/session") && response.request().method() === "POST"
              ),
              submit.click(),
            ]);
            assert.equal(answer.status(), 401, `attempt ${attempt}`);
            await waitForText(error, "The API key is not valid");
          }
          await testid(page, "sign-in-key").fill("dq_wrong_11");
          await submit.click();
          await waitForText(
            error,
            /Too many failed attempts from this address\. Try again in \d+ s\./,
          );
          assert.ok(await submit.isDisabled(), "no attempt while the server refuses them");
          await screenshot(page, "sign-in-too-many-desktop-light");
        });
      },
    );

    await t.step("authentication off: beyond loopback a banner, on loopback none", async () => {
      await withDashboard(browser, {}, async (dashboard) => {
        const { page, url } = dashboard;
        await page.goto(`${url}/`);
        await testid(page, "overview").waitFor();
        await testid(page, "bulk-actions").waitFor();
        await testid(page, "nav-enqueue").waitFor();
        assert.equal(await testid(page, "insecure-banner").count(), 0);
        assert.equal(await testid(page, "sign-out").count(), 0, "nobody to sign out");
        // This test listens on 127.0.0.1 only: the session a server started with
        // --insecure-no-auth beyond loopback answers is played to the page instead.
        const session: SessionView = { auth: "off", insecure: true, key: ANONYMOUS };
        await page.route("**/api/session", (route) => route.fulfill({ json: session }));
        await page.reload();
        await waitForText(testid(page, "insecure-banner"), "Authentication is off");
        await testid(page, "overview").waitFor();
        await screenshot(page, "insecure-banner-desktop-light");
      });
    });

    await t.step("screenshots: the sign-in page, light, dark and phone", async () => {
      const shots: [string, { colorScheme: "light" | "dark"; width: number; height: number }][] = [
        ["desktop-light", { colorScheme: "light", width: 1280, height: 800 }],
        ["desktop-dark", { colorScheme: "dark", width: 1280, height: 800 }],
        ["phone-light", { colorScheme: "light", width: 375, height: 740 }],
      ];
      for (const [name, { colorScheme, width, height }] of shots) {
        await withKeys(browser, {
          context: { colorScheme, viewport: { width, height } },
        }, async (dashboard) => {
          const { page, url } = dashboard;
          await page.goto(`${url}/`);
          await testid(page, "sign-in-page").waitFor();
          await screenshot(page, `sign-in-${name}`);
          await testid(page, "sign-in-key").fill("dq_not_a_real_key");
          await testid(page, "sign-in-submit").click();
          await testid(page, "error-sign-in").waitFor();
          await screenshot(page, `sign-in-refused-${name}`);
          const viewer = await makeKey(dashboard, "wall screen", "viewer");
          await signIn(page, viewer.secret);
          await screenshot(page, `signed-in-viewer-${name}`);
          const scrollWidth = await page.evaluate<number>("document.documentElement.scrollWidth");
          assert.ok(scrollWidth <= width + 1, `${name}: the page is ${scrollWidth} px wide`);
        });
      }
    });
  } finally {
    await browser.close();
  }
});
