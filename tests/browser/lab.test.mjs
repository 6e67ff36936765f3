// The lab page (lab.html, built by web/lab/build.mjs) in headless Chromium: a 2x2 custom sweep runs in Workers
// and the progress bar completes; a cancelled sweep keeps its finished runs; a built-in
// study's plot has error bars; the exports produce files. Waits on conditions, never sleeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { ARTIFACTS, CHROMIUM, ROOT } from './helpers.mjs';
import { startServer } from '../../tools/serve.mjs';
import { buildLab } from '../../web/lab/build.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
// The lab is built into its own directory with the wasm module from dist/web/ (or
// build-wasm/), so a concurrent rebuild of dist/ cannot pull files from under the test.
const LAB_DIR = join(ARTIFACTS, 'lab-dist');
let env;
before(async () => {
  await buildLab({ outdir: LAB_DIR });
  for (const f of ['relu_engine.js', 'relu_engine.wasm']) {
    const src = [join(ROOT, 'dist', 'web', f), join(ROOT, 'build-wasm', f)].find(existsSync);
    if (!src) throw new Error(`${f} is not built: run \`bash playground.sh build\` first`);
    copyFileSync(src, join(LAB_DIR, 'web', f));
  }
  // Study 6's Workers fetch data/mnist14.bin beside web/ (web/lab/lab-worker.js), as on dist/.
  mkdirSync(join(LAB_DIR, 'data'), { recursive: true });
  const mnist14 = [join(ROOT, 'dist', 'data', 'mnist14.bin'), join(ROOT, 'build', 'data', 'mnist14.bin')].find(existsSync);
  if (!mnist14) throw new Error('mnist14.bin is not packed: run `bash playground.sh build` first');
  copyFileSync(mnist14, join(LAB_DIR, 'data', 'mnist14.bin'));
  const server = await startServer(LAB_DIR, 0, { csp: CSP });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  env = {
    base: `http://127.0.0.1:${server.address().port}/`,
    browser,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
});
after(async () => {
  await env?.close();
});

async function openLab(query = '') {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${env.base}lab.html${query}`);
  await page.waitForFunction(() => window.__lab?.ready, null, { timeout: 30000 });
  return { page, context, problems };
}

async function customSweep(page, { x, xs, s, ss, metric, seeds, steps, workers }) {
  await page.fill('#axis1-key', x);
  await page.fill('#axis1-values', xs);
  await page.fill('#axis2-key', s);
  await page.fill('#axis2-values', ss);
  await page.selectOption('#metric', metric);
  await page.fill('#seeds', String(seeds));
  await page.fill('#steps', String(steps));
  if (workers) await page.fill('#workers', String(workers));
}

test('a 2x2 sweep runs in Workers and the progress bar completes', async () => {
  const { page, context, problems } = await openLab('?study=custom');
  await customSweep(page, { x: 'lr', xs: '0.03, 1', s: 'activation', ss: 'relu, elu', metric: 'dead', seeds: 2, steps: 300, workers: 2 });
  await page.click('#run');
  await page.waitForFunction(() => window.__lab.state === 'done', null, { timeout: 120000, polling: 100 });
  const r = await page.evaluate(() => ({
    lab: { done: window.__lab.done, total: window.__lab.total, result: window.__lab.result },
    value: document.getElementById('progress').value,
    max: document.getElementById('progress').max,
    status: document.getElementById('status').textContent,
    errorBars: document.querySelectorAll('#plot svg path').length,
    points: document.querySelectorAll('#plot svg circle').length,
  }));
  assert.equal(r.lab.total, 8);
  assert.equal(r.lab.done, 8);
  assert.equal(r.value, 8);
  assert.equal(r.max, 8);
  assert.match(r.status, /Done: 8 runs/);
  const res = r.lab.result;
  assert.equal(res.cells.length, 4);
  assert.deepEqual(Object.keys(res.sweep.axes), ['activation', 'lr']);
  for (const c of res.cells) {
    assert.equal(c.runs, 2);
    assert.equal(c.metrics.dead.n, 2);
    assert.ok(c.metrics.dead.mean >= 0 && c.metrics.dead.mean <= 1);
  }
  // ELU units cannot be dead under the default definition
  for (const c of res.cells.filter((c) => c.settings.activation === 'elu')) assert.equal(c.metrics.dead.mean, 0);
  assert.ok(r.points >= 4, 'the plot has the four means');
  // exports
  for (const [id, ext] of [['#export-csv', 'csv'], ['#export-json', 'json'], ['#export-svg', 'svg'], ['#export-png', 'png']]) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    assert.ok(dl.suggestedFilename().endsWith(`.${ext}`));
    const file = join(ARTIFACTS, `lab-export.${ext}`);
    await dl.saveAs(file);
    const bytes = readFileSync(file);
    if (ext === 'png') assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    if (ext === 'json') assert.equal(JSON.parse(bytes.toString()).cells.length, 4);
    if (ext === 'csv') assert.match(bytes.toString(), /^activation,lr,runs,dead_mean,dead_se,dead_n\n/);
    if (ext === 'svg') assert.match(bytes.toString(), /^<svg /);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'lab-2x2.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('cancelling keeps the finished runs', async () => {
  const { page, context, problems } = await openLab('?study=custom');
  // Long enough that it cannot finish before the cancel lands: 2x2 cells x 10 seeds x 20000 steps.
  await customSweep(page, { x: 'lr', xs: '0.03, 0.3', s: 'activation', ss: 'relu, tanh', metric: 'final_loss', seeds: 10, steps: 20000, workers: 2 });
  await page.click('#run');
  await page.waitForFunction(() => window.__lab.done >= 2, null, { timeout: 120000, polling: 50 });
  await page.click('#cancel');
  await page.waitForFunction(() => window.__lab.state === 'cancelled', null, { timeout: 10000 });
  const r = await page.evaluate(() => ({
    result: window.__lab.result,
    value: document.getElementById('progress').value,
    status: document.getElementById('status').textContent,
    run: document.getElementById('run').disabled,
    cancel: document.getElementById('cancel').disabled,
  }));
  const res = r.result;
  assert.ok(res.jobs_done >= 2 && res.jobs_done < res.jobs_total, `kept ${res.jobs_done} of ${res.jobs_total}`);
  assert.equal(res.cells.reduce((a, c) => a + c.runs, 0), res.jobs_done);
  const finished = res.cells.filter((c) => c.runs > 0);
  assert.ok(finished.length >= 1);
  for (const c of finished) assert.ok(Number.isFinite(c.metrics.final_loss.mean));
  assert.equal(r.value, res.jobs_done);
  assert.match(r.status, /Cancelled after/);
  assert.equal(r.run, false);
  assert.equal(r.cancel, true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a built-in study starts and can be cancelled; bad input is reported', async () => {
  const { page, context, problems } = await openLab('?study=born-dead');
  await page.click('#run');
  await page.waitForFunction(() => window.__lab.done >= 1, null, { timeout: 120000, polling: 50 });
  await page.click('#cancel');
  await page.waitForFunction(() => window.__lab.state === 'cancelled', null, { timeout: 10000 });
  const res = await page.evaluate(() => window.__lab.result);
  const done = res.cells.filter((c) => c.runs > 0);
  assert.ok(done.length >= 1);
  for (const c of done) assert.ok(c.metrics.reference.mean > 0);
  // custom sweep with a broken base config: an error message, nothing runs
  await page.selectOption('#study', 'custom');
  await page.fill('#base', '{"dataset": ');
  await page.click('#run');
  await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 5000 });
  assert.match(await page.textContent('#error'), /base config/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('study 6 runs its reduced MNIST grid in Workers, which fetch mnist14 once each', async () => {
  const { page, context, problems } = await openLab('?study=mnist-lr');
  const fetched = [];
  page.on('request', (r) => r.url().endsWith('.bin') && fetched.push(r.url()));
  await page.fill('#workers', '2');
  await page.click('#run');
  await page.waitForFunction(() => window.__lab.state === 'done', null, { timeout: 180000, polling: 200 });
  const res = await page.evaluate(() => window.__lab.result);
  assert.equal(res.jobs_done, 12);
  const cell = (activation, lr) => res.cells.find((c) => c.settings.activation === activation && c.settings.lr === lr);
  // Real learning at a sane rate (10 classes: chance is 10%), and ReLU's dead share is a share.
  assert.ok(cell('relu', 0.3).metrics.test_accuracy.mean > 0.6, JSON.stringify(cell('relu', 0.3).metrics.test_accuracy));
  for (const c of res.cells) assert.ok(c.metrics.dead.mean >= 0 && c.metrics.dead.mean <= 1);
  assert.equal(cell('leaky_relu', 0.03).metrics.dead.mean, 0, 'Leaky ReLU units cannot be dead');
  assert.ok(fetched.every((u) => u.endsWith('/data/mnist14.bin')) && fetched.length >= 1 && fetched.length <= 2, fetched.join(' '));
  assert.deepEqual(problems, []);
  await context.close();
});

test('study 7 runs its reduced convnet grid: dead channels are counted over the 24 conv channels alone', async () => {
  const { page, context, problems } = await openLab('?study=conv-lr');
  await page.fill('#workers', '2');
  await page.click('#run');
  await page.waitForFunction(() => window.__lab.state === 'done', null, { timeout: 180000, polling: 200 });
  const res = await page.evaluate(() => window.__lab.result);
  assert.equal(res.jobs_done, 12);
  const cell = (activation, lr) => res.cells.find((c) => c.settings.activation === activation && c.settings.lr === lr);
  assert.ok(cell('relu', 0.03).metrics.test_accuracy.mean > 0.6, JSON.stringify(cell('relu', 0.03).metrics.test_accuracy));
  // 8 + 16 channels: every run's share is a whole number of 24ths. Counted with the 64 dense
  // neurons (88 units) or per layer, most shares would not be.
  for (const c of res.cells)
    for (const v of [...c.metrics.dead_channels.values, ...c.metrics.no_positive_channels.values]) {
      if (v === null) continue;  // a diverged run
      assert.ok(Math.abs(v * 24 - Math.round(v * 24)) < 1e-9, `${JSON.stringify(c.settings)}: ${v}`);
    }
  // The rate that kills filters (the CLI, same bits: 65% of the channels dead over the 2 seeds).
  assert.ok(cell('relu', 1).metrics.dead_channels.mean > 0.3, JSON.stringify(cell('relu', 1).metrics.dead_channels));
  for (const lr of [0.03, 0.3, 1]) assert.equal(cell('leaky_relu', lr).metrics.dead_channels.mean ?? 0, 0, 'Leaky ReLU channels cannot be dead');
  assert.deepEqual(problems, []);
  await context.close();
});
