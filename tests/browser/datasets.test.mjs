// The packed datasets in the page (web/data-loader.js): fetched only when chosen, with
// progress shown, then trained; no request leaves the origin; a failed download says why and
// keeps the page usable; the single files carry theirs and train from file:// with no request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, setup } from './helpers.mjs';

let env;
before(async () => {
  env = await setup();
});
after(async () => {
  await env?.close();
});

// A page that records every request (URL) it makes, and what the progress line showed.
async function open(url, viewport = { width: 1280, height: 800 }) {
  const context = await env.browser.newContext({ viewport });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.goto(url);
  await page.waitForFunction(() => window.__relu?.snapshots[0], null, { timeout: 30000 });
  // Every text the progress line shows, recorded as it changes.
  await page.evaluate(() => {
    window.__progressSeen = [];
    const el = document.getElementById('data-progress');
    new MutationObserver(() => !el.hidden && window.__progressSeen.push(el.textContent)).observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
  });
  return { page, context, requests, problems };
}

// Chooses a dataset through the page's API (the same path as the control) and trains n steps.
async function chooseAndStep(page, settings, n) {
  return page.evaluate(async ([settings, n]) => {
    window.__reluApp.set(settings);
    await window.__reluApp.reset();
    return window.__reluApp.step(n);
  }, [settings, n]);
}

test('choosing mnist14 loads it lazily, shows progress, trains; nothing leaves the origin', { timeout: 60000 }, async () => {
  const { page, context, requests, problems } = await open(`${env.base}?layers=8&seed=2&autoplay=0`);
  const dataRequests = () => requests.filter((u) => u.includes('/data/'));
  assert.deepEqual(dataRequests(), [], 'no dataset is fetched before one is chosen');

  const stats = await chooseAndStep(page, { dataset: 'mnist14', layers: [32, 32] }, 30);
  assert.ok(stats.step >= 30, `trained to step ${stats.step}`);
  assert.equal(stats.layers[0].width, 32);
  assert.deepEqual(dataRequests(), [`${env.base}data/mnist14.bin`]);
  const seen = await page.evaluate(() => window.__progressSeen);
  assert.ok(seen.some((t) => /^Loading mnist14: \d+\.\d of 2\.0 MB$/.test(t)), `progress shown: ${JSON.stringify(seen)}`);
  assert.equal(await page.locator('#data-progress').isHidden(), true, 'the progress line goes once the run is made');
  // 10 classes: the confusion / output view knows them; the data info carries the image shape.
  const info = await page.evaluate(() => window.__relu.snapshots[0] && window.__reluApp.getStats());
  assert.ok(info.testAccuracy >= 0);

  // Iris in two compared runs (each worker loads it once), still no request outside the origin.
  const compared = await chooseAndStep(page, { dataset: 'iris', layers: [8], compare: 'lr:0.03|0.3' }, 40);
  assert.equal(compared.runs.length, 2);
  // step() waits for the main run; the compared one trains in its own worker.
  await page.waitForFunction(() => window.__relu.snapshots.length === 2 && window.__relu.snapshots.every((s) => s && s.step >= 40), null, { timeout: 30000, polling: 100 });
  assert.ok(requests.every((u) => u.startsWith(env.base) || u.startsWith('data:') || u.startsWith('blob:')), requests.filter((u) => !u.startsWith(env.base)).join('\n'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a failed download names the dataset and the reason; the page keeps working', { timeout: 60000 }, async () => {
  const { page, context } = await open(`${env.base}?layers=8&seed=2&autoplay=0`);
  await page.route('**/data/mnist.bin', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.evaluate(() => window.__reluApp.set({ dataset: 'mnist', layers: [16] }));
  await page.waitForFunction(() => /dataset mnist: could not download .*data\/mnist\.bin \(HTTP 404\)/.test(document.getElementById('notice-text').textContent), null, { timeout: 20000 });
  // Back to a generator: trains as before.
  const stats = await chooseAndStep(page, { dataset: 'spiral', layers: [8] }, 20);
  assert.ok(stats.step >= 20);
  await context.close();
});

for (const [file, dataset] of [['relu-playground.html', 'mnist14'], ['relu-playground-mnist.html', 'mnist']]) {
  test(`${file} trains ${dataset} from file:// with no network request`, { timeout: 60000 }, async () => {
    const url = pathToFileURL(join(ROOT, 'dist', file)).href;
    const { page, context, requests, problems } = await open(`${url}?dataset=${dataset}&layers=16&seed=1&autoplay=0`);
    const stats = await page.evaluate(() => window.__reluApp.step(20));
    assert.ok(stats.step >= 20);
    const state = await page.evaluate(() => window.__relu.state.dataset);
    assert.equal(state, dataset);
    const outside = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(outside, []);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

// The first visit's download budget (issue 13: under 300 KB gzipped; tools/download-sizes.mjs)
// counts what the page really fetches: every file a first visit requests is in its list, and
// the packed data is not among them.
test('a first visit fetches only the budgeted files, and they are under 300 KB gzipped', { timeout: 60000 }, async () => {
  let out;
  try {
    out = execFileSync(process.execPath, [join(ROOT, 'tools/download-sizes.mjs'), join(ROOT, 'dist')], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`over budget:\n${e.stdout}`);
  }
  const initial = out.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| file') && !l.startsWith('| **'));
  const budgeted = new Set(initial.slice(0, initial.findIndex((l) => l.startsWith('| data/'))).map((l) => l.split(' | ')[0].slice(2)));
  assert.ok(budgeted.has('web/relu_engine.wasm') && budgeted.has('web/app.js'), [...budgeted].join(', '));
  const total = Number(out.match(/\*\*initial download\*\* \| [\d.]+ KB \| \*\*([\d.]+) KB\*\*/)[1]);
  assert.ok(total < 300, `initial download ${total} KB gzipped`);

  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const fetched = new Set();
  page.on('request', (r) => fetched.add(new URL(r.url()).pathname.slice(1) || 'index.html'));
  await page.goto(env.base);
  await page.waitForFunction(() => window.__relu?.snapshots[0]?.step > 0, null, { timeout: 30000 });
  const outside = [...fetched].filter((p) => !budgeted.has(p));
  assert.deepEqual(outside, [], `fetched but not counted in the budget: ${outside.join(', ')}`);
  await context.close();
});
