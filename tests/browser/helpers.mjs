// Shared by the browser tests and bench/ui-frames.mjs: serve dist/ on a free port and
// drive Debian's chromium through playwright-core.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tools/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function setup({ csp = null } = {}) {
  if (!existsSync(join(ROOT, 'dist', 'index.html')) || !existsSync(join(ROOT, 'dist', 'web', 'relu_engine.wasm')))
    throw new Error('dist/ is not built: run `bash playground.sh build` (or `bash playground.sh dist`) first');
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer(join(ROOT, 'dist'), 0, { csp });
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** A page that records console errors, page errors and requests leaving the server. */
export async function openPage(env, query = '', { width = 1280, height = 800 } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(env.base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`remote request: ${r.url()}`);
  });
  await page.goto(env.base + (query ? `?${query.replace(/^\?/, '')}` : ''));
  await page.waitForFunction(() => window.__relu && window.__relu.snapshots[0], null, { timeout: 30000 });
  return { page, context, problems };
}

/** Waits until the first run has trained at least n steps. */
export function waitForStep(page, n, timeout = 60000) {
  return page.waitForFunction((n) => window.__relu.snapshots.every((s) => s && s.step >= n), n, { timeout, polling: 100 });
}
