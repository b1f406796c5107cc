/**
 * The e2e suites' shared set-up: a real node started on a temporary data directory and free ports, serving the built
 * app (`apps/web/dist`) at `/`, and Debian's Chromium (`/usr/bin/chromium`, or `CHROMIUM_PATH`; driven by
 * playwright-core, no browser is downloaded) with one page whose console errors and uncaught exceptions are
 * collected for the test to assert on.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@souk/contracts/test-utils';
import { loadConfig, type RunningNode, startNode } from '@souk/node';
import { type Browser, type ConsoleMessage, chromium, type Page } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built app the node serves. */
export const webDir = path.resolve(here, '../dist');
/** Where the suites write their screenshots. */
export const artifacts = path.resolve(here, '../artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A started node, a browser and its first page. */
export type WebFixture = {
  /** The node: its `url` serves the app and the API. */
  node: RunningNode;
  /** The node's data directory, a fresh temporary directory (removed by `stop`); the suite may put files in it. */
  dataDir: string;
  browser: Browser;
  /** A 1280×900 page with a 30 s default timeout, watched by {@link watchConsole}. */
  page: Page;
  /** The console errors and uncaught exceptions of every watched page, in order. */
  consoleErrors: string[];
  /** Closes the browser, stops the node and removes the data directory. */
  stop: () => Promise<void>;
};

/** What {@link startWebFixture} starts. */
export type WebFixtureParameters = {
  /** The prefix of the data directory's name in the OS temp directory, e.g. `souk-web-`. */
  dirPrefix: string;
  /** Local providers the node runs. @default 2 */
  providers?: number | undefined;
  /**
   * The node's environment (`loadConfig`'s second argument) besides `SOUK_WEB_DIR` and `RATE_LIMIT_PER_MINUTE`
   * (100000), which the fixture sets.
   */
  env?: Record<string, string> | undefined;
  /** Runs once the node is up and before the browser starts (e.g. to seed its index). */
  prepare?: ((node: RunningNode, dataDir: string) => Promise<void>) | undefined;
  /** Console errors this returns true for are not collected (e.g. 404s the suite expects). */
  ignore?: ((message: ConsoleMessage) => boolean) | undefined;
};

/**
 * Collects `page`'s console errors (`"<text> (<url>)"`) and uncaught exceptions (`"uncaught: <message>"`) into
 * `errors`.
 * @param ignore Console errors this returns true for are not collected.
 */
export function watchConsole(page: Page, errors: string[], ignore?: (message: ConsoleMessage) => boolean): void {
  page.on('console', (message) => {
    if (message.type() !== 'error' || ignore?.(message)) return;
    errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
}

/**
 * Starts a node serving the built app and a Chromium page on it. Call it in `before` and `stop()` in `after`.
 * @throws AssertionError when `apps/web/dist` is not built or no Chromium is installed.
 */
export async function startWebFixture({
  dirPrefix,
  providers = 2,
  env = {},
  prepare,
  ignore,
}: WebFixtureParameters): Promise<WebFixture> {
  assert.ok(existsSync(path.join(webDir, 'index.html')), 'apps/web/dist is missing: run npm run build -w @souk/web');
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
  const dataDir = mkdtempSync(path.join(tmpdir(), dirPrefix));
  let node: RunningNode | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig(
      { 'data-dir': dataDir, port: '0', 'devnet-port': String(await freePort()), providers: String(providers) },
      { ...env, SOUK_WEB_DIR: webDir, RATE_LIMIT_PER_MINUTE: '100000' },
    );
    node = await startNode(config, { logger: false });
    await prepare?.(node, dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(30_000);
    const consoleErrors: string[] = [];
    watchConsole(page, consoleErrors, ignore);
    return { node, dataDir, browser, page, consoleErrors, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
