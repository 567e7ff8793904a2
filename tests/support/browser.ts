/**
 * Browser test support: Debian's Chromium driven by playwright-core, a real DenoQueue server on
 * a free port per test, and waits that poll the page until a deadline (never fixed sleeps).
 * @module
 */

import assert from "node:assert/strict";
import type { Browser, BrowserContextOptions, Locator, Page } from "playwright-core";
import { createServer, type DenoQueueServer, type ServerOptions } from "../../api/server.ts";
import { MemoryStore } from "../../queue/store/memory/memory_store.ts";
import { TEST_LOGGER } from "./log_capture.ts";

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags that let Chromium run headless as root on a machine with no outside network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** Where screenshots go (gitignored). */
export const SCREENSHOTS = new URL("../screenshots/", import.meta.url);

/** Small settings that keep browser tests fast: one worker, demo jobs 50x faster. */
export const BROWSER_SERVER_OPTIONS: ServerOptions = {
  port: 0,
  workers: 1,
  demoSpeed: 0.02,
  killGrace: 200,
  shutdownGrace: 200,
  logger: TEST_LOGGER,
};

/** How long a wait on the page may take before the test fails. */
export const WAIT = 10_000;

/**
 * Imports playwright-core under the test task's permissions. At load it asks whether it runs
 * under WSL by testing `/proc/sys/fs/binfmt_misc/WSLInterop`, a path Deno opens only with
 * `--allow-all`, so the test (run with `--allow-read`) would die at import. Its own test
 * switch `__IS_WSL_TEST__` defers that check to code that only opens files in desktop apps,
 * which these tests never call.
 */
function importPlaywright(): Promise<typeof import("playwright-core")> {
  Deno.env.set("__IS_WSL_TEST__", "1");
  return import("playwright-core");
}

/** Launches Chromium with {@linkcode CHROMIUM_ARGS} and `args`, or fails with how to install it. */
export async function launchBrowser(args: string[] = []): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium)`,
    );
  }
  const { chromium } = await importPlaywright();
  return await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...args] });
}

/** What a browser test gets: the server, its address, a page, and what went wrong on it. */
export interface Dashboard {
  server: DenoQueueServer;
  /** `http://127.0.0.1:<port>` */
  url: string;
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** Calls the server's REST API over HTTP and reads the JSON answer. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{
    status: number;
    body: T;
  }>;
}

/** Options for {@linkcode withDashboard}. */
export interface DashboardOptions {
  /** Overrides {@linkcode BROWSER_SERVER_OPTIONS}. */
  server?: ServerOptions;
  /** Viewport, colour scheme…; the default viewport is 1280×800. */
  context?: BrowserContextOptions;
  /**
   * Whether the test expects error answers (4xx), which Chromium reports on the console as
   * "Failed to load resource". Default false: any console error fails the test.
   */
  httpErrors?: boolean;
}

/**
 * Starts a server and a fresh browser context, runs `test`, asserts the page logged no error,
 * and always closes the context and shuts the server down.
 */
export async function withDashboard(
  browser: Browser,
  options: DashboardOptions,
  test: (dashboard: Dashboard) => Promise<void>,
): Promise<void> {
  const server = await createServer({
    store: new MemoryStore(),
    ...BROWSER_SERVER_OPTIONS,
    ...options.server,
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...options.context,
  });
  try {
    const { port } = await server.listen();
    const url = `http://127.0.0.1:${port}`;
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = message.text();
      if (options.httpErrors && /status of 4\d\d/.test(text)) return;
      errors.push(text);
    });
    page.on("pageerror", (error) => errors.push(`${error.name}: ${error.message}`));
    const api = async <T>(method: string, path: string, body?: unknown) => {
      const response = await fetch(url + path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() as T };
    };
    await test({ server, url, page, errors, api });
    assert.deepEqual(errors, [], "the page logged errors");
  } finally {
    await context.close();
    await server.shutdown();
  }
}

/** Waits until `locator` matches an element whose text contains `text`; returns that one. */
export async function waitForText(
  locator: Locator,
  text: string | RegExp,
  timeout = WAIT,
): Promise<Locator> {
  const match = locator.filter({ hasText: text }).first();
  try {
    await match.waitFor({ timeout });
  } catch (error) {
    const seen = await locator.allTextContents().catch(() => []);
    throw new Error(
      `Timed out after ${timeout} ms waiting for ${locator} to show ${text}; it shows ${
        JSON.stringify(seen)
      }`,
      { cause: error },
    );
  }
  return match;
}

/** Screenshot into `tests/screenshots/<name>.png`; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  const path = new URL(`${name}.png`, SCREENSHOTS).pathname;
  await page.screenshot({ path, fullPage: true });
  return path;
}
